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
import type { Session } from '../domain/session/session.js';
import type { GuildSettings } from '../domain/settings.js';
import type { Services } from '../services.js';

/** A scope: `true` for the whole command, or the names of the subcommands it applies to. */
export type Scope = boolean | readonly string[];

/** Checks the router decides before a handler runs; declared on the command, never written inline. */
export interface Preconditions {
  /** Only in a guild (default true: every Lectern command is about a guild). */
  guildOnly?: boolean;
  hostOnly?: Scope;
  /** Needs a live session; the handler gets it as `ctx.session`. */
  liveSession?: Scope;
  /** Reads the live session if there is one (`ctx.session`), without refusing when there is none. */
  readsSession?: Scope;
  /** Per-member limit, counted across all bot processes, after every other check has passed. */
  rateLimit?: { limit: number; windowSeconds: number; subcommands?: readonly string[] };
}

/** A reply: ephemeral unless `ephemeral: false`; mentions are off unless `allowedMentions` says otherwise. */
export type ReplyOptions = Omit<InteractionReplyOptions, 'flags' | 'withResponse' | 'fetchReply'> & {
  ephemeral?: boolean;
};

export interface HandlerContext<I> {
  interaction: I;
  services: Services;
  guildId: string;
  settings: GuildSettings;
  /** The live session, when the command declares `liveSession`. */
  session?: Session;
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

export interface ComponentHandler {
  preconditions?: Preconditions;
  /** `args` are the custom_id parts after `command:action:`. */
  run(ctx: HandlerContext<ButtonInteraction | ModalSubmitInteraction>, args: string[]): Promise<void>;
}

/** The shape of every file in commands/. */
export interface Command<I extends CommandInteraction = ChatInputCommandInteraction> {
  data: RESTPostAPIApplicationCommandsJSONBody;
  preconditions?: Preconditions;
  execute(ctx: HandlerContext<I>): Promise<void>;
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
