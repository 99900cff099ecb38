import type {
  ApplicationCommandOptionChoiceData,
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  InteractionReplyOptions,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { MemberStanding } from '../domain/hosts.js';
import type { Session } from '../domain/session/session.js';
import type { GuildSettings } from '../domain/settings.js';
import type { Services } from '../services.js';
import type { RateCount } from '../store/rate-limit-store.js';

/** Checks the router runs before a handler; declared, never written inline. */
export interface Preconditions {
  /** Only in a guild (default true: every Lectern command is about a guild). */
  guildOnly?: boolean;
  /** Host-only: `true` for the whole command, or the names of the host-only subcommands. */
  hostOnly?: boolean | readonly string[];
  /**
   * Per-user limit, counted across all bot processes. `counted: 'early'`: the
   * command's early script counts the use itself, in the same step as the
   * write it limits (the router hands it `ctx.rateLimit` and counts nothing).
   */
  rateLimit?: { limit: number; windowSeconds: number; subcommands?: readonly string[]; counted?: 'early' };
  /** Needs a live session (`true`, or the subcommands that do); the handler gets it as `ctx.session`. */
  liveSession?: boolean | readonly string[];
}

/** A reply: ephemeral unless `ephemeral: false`; mentions are off unless `allowedMentions` says otherwise. */
export type ReplyOptions = Omit<InteractionReplyOptions, 'flags' | 'withResponse' | 'fetchReply'> & {
  ephemeral?: boolean;
};

/**
 * What `early` work sees: the interaction, before the router's own reads
 * (settings, live session, rate-limit count) have come back.
 */
export interface EarlyContext<I> {
  interaction: I;
  services: Services;
  guildId: string;
  /** The member's standing, for scripts that check the host role themselves. */
  standing: MemberStanding;
  /** This use's rate-limit counter, for a command whose limit is `counted: 'early'`: its script counts the use. */
  rateLimit?: RateCount;
}

export interface HandlerContext<I, E = unknown> {
  interaction: I;
  services: Services;
  guildId: string;
  settings: GuildSettings;
  /** The live session, loaded when the command declares `liveSession`. */
  session?: Session;
  /** What the command's `early` work returned (undefined when it has none). */
  early: E;
  /**
   * Work to run once the reply is sent (the jobs a change implies): the member
   * is not kept waiting on it. It runs even if the reply failed, since the
   * change it follows is stored; a failure is logged, not shown.
   */
  afterReply(work: () => Promise<unknown>): void;
  /** Replies, or edits the deferred reply when the router already deferred. */
  reply(options: ReplyOptions | string): Promise<void>;
  /** For buttons: replaces the message the button is on (paging); for commands, the same as reply. */
  update(options: ReplyOptions | string): Promise<void>;
}

export type CommandInteraction = ChatInputCommandInteraction | MessageContextMenuCommandInteraction;

export interface ComponentHandler<E = unknown> {
  preconditions?: Preconditions;
  /** As Command.early. */
  early?(ctx: EarlyContext<ButtonInteraction | ModalSubmitInteraction>, args: string[]): Promise<E> | undefined;
  /** `args` are the custom_id parts after `command:action:`. */
  run(ctx: HandlerContext<ButtonInteraction | ModalSubmitInteraction, E>, args: string[]): Promise<void>;
}

/** The shape of every file in commands/; `E` is what its `early` work returns. */
export interface Command<I extends CommandInteraction = ChatInputCommandInteraction, E = unknown> {
  data: RESTPostAPIApplicationCommandsJSONBody;
  preconditions?: Preconditions;
  /**
   * Store work the router sends in the same Redis round trip as its own reads,
   * so the command costs one round trip before its reply. It runs before the
   * preconditions are known: it may only read, or write through a script that
   * itself checks what the write relies on (live session, host role, rate
   * limit) and changes nothing otherwise. A failed precondition still wins:
   * its message is the one the member sees. `undefined`: nothing to send.
   */
  early?(ctx: EarlyContext<I>): Promise<E> | undefined;
  execute(ctx: HandlerContext<I, E>): Promise<void>;
  autocomplete?(ctx: HandlerContext<AutocompleteInteraction>): Promise<ApplicationCommandOptionChoiceData[]>;
  /** Buttons and modals whose custom_id starts with `<command name>:<key>:`. */
  components?: Record<string, ComponentHandler>;
}

export type AnyCommand = Command<ChatInputCommandInteraction> | Command<MessageContextMenuCommandInteraction>;

/** custom_id of a component owned by `command`; the router sends it back to that command's handler. */
export function customId(command: string, action: string, ...args: Array<string | number>): string {
  const id = [command, action, ...args].join(':');
  if (id.length > 100) throw new Error(`custom_id over 100 characters: ${id.slice(0, 40)}…`);
  return id;
}
