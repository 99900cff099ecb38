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

export type Scope = boolean | readonly string[];

export interface Preconditions {
  /** Default true. */
  guildOnly?: boolean;
  hostOnly?: Scope;
  liveSession?: Scope;
  readsSession?: Scope;
  /** Per member across all processes; taken after every other check passed. */
  rateLimit?: { limit: number; windowSeconds: number; subcommands?: readonly string[] };
}

/** Ephemeral unless `ephemeral: false`. */
export type ReplyOptions = Omit<InteractionReplyOptions, 'flags' | 'withResponse' | 'fetchReply'> & {
  ephemeral?: boolean;
};

export interface HandlerContext<I> {
  interaction: I;
  services: Services;
  guildId: string;
  settings: GuildSettings;
  session?: Session;
  /** Runs after the reply, even a failed one (the change is stored); failures are logged. */
  afterReply(work: () => Promise<unknown>): void;
  reply(options: ReplyOptions | string): Promise<void>;
  /** Buttons: replaces their message. */
  update(options: ReplyOptions | string): Promise<void>;
}

export type Ctx = HandlerContext<ChatInputCommandInteraction | ButtonInteraction>;

type CommandInteraction = ChatInputCommandInteraction | MessageContextMenuCommandInteraction;

export interface ComponentHandler {
  preconditions?: Preconditions;
  /** `args`: the custom_id parts after `command:action:`. */
  run(ctx: HandlerContext<ButtonInteraction | ModalSubmitInteraction>, args: string[]): Promise<void>;
}

export interface Command<I extends CommandInteraction = ChatInputCommandInteraction> {
  data: RESTPostAPIApplicationCommandsJSONBody;
  preconditions?: Preconditions;
  execute(ctx: HandlerContext<I>): Promise<void>;
  autocomplete?(ctx: HandlerContext<AutocompleteInteraction>): Promise<ApplicationCommandOptionChoiceData[]>;
  components?: Record<string, ComponentHandler>;
}

export type AnyCommand = Command<ChatInputCommandInteraction> | Command<MessageContextMenuCommandInteraction>;

export function customId(command: string, action: string, ...args: Array<string | number>) {
  const id = [command, action, ...args].join(':');
  if (id.length > 100) throw new Error(`custom_id over 100 characters: ${id.slice(0, 40)}…`);
  return id;
}
