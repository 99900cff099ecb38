import { checkOptions } from './option-check.js';
import {
  ApplicationCommandType,
  type ApplicationCommandOptionChoiceData,
  type AutocompleteInteraction,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import { UserError } from '../domain/errors.js';
import { defaultSettings } from '../domain/settings.js';
import type { Services } from '../services.js';
import type { AnyCommand, HandlerContext, Preconditions } from './command.js';
import { commandKey } from './command-loader.js';
import { describeError } from './error-reply.js';
import { decide } from './preconditions.js';
import { Responder } from './responder.js';

interface Route {
  spec?: Preconditions;
  subcommand: string | null;
  bucket: string;
  run(ctx: HandlerContext<never>): Promise<void>;
}

// Logs nothing about who the user is: anonymous questions stay anonymous.
export class InteractionRouter {
  private readonly inFlight = new Set<Promise<void>>();
  private accepting = true;

  constructor(
    private readonly commands: Map<string, AnyCommand>,
    private readonly services: Services,
    private readonly deferAfterMs = 2_000,
  ) {}

  handle(interaction: Interaction) {
    if (!this.accepting) return;
    const task = this.dispatch(interaction).catch((err: unknown) => {
      this.services.logger.error({ err, interactionId: interaction.id }, 'interaction could not be answered');
    });
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  async drain(timeoutMs: number) {
    this.accepting = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private async dispatch(interaction: Interaction) {
    if (interaction.isAutocomplete()) return this.autocomplete(interaction);
    if (!interaction.isRepliable()) return;
    const responder = new Responder(interaction, this.deferAfterMs);
    const log = { interactionId: interaction.id, kind: interaction.type, name: routeName(interaction) };
    const afterReply: Array<() => Promise<unknown>> = [];
    try {
      const route = this.route(interaction);
      if (!interaction.inGuild() && route.spec?.guildOnly !== false) {
        throw new UserError('guild-only', 'Lectern works inside a server: run this in one of its channels.');
      }
      const decision = interaction.inGuild()
        ? await decide(route.spec, interaction, route.subcommand, route.bucket, this.services)
        : { settings: defaultSettings() };
      await route.run({
        interaction: interaction as never,
        services: this.services,
        guildId: interaction.guildId ?? '',
        ...decision,
        afterReply: (work) => void afterReply.push(work),
        reply: (options) => responder.reply(options),
        update: (options) => responder.update(options),
      });
    } catch (error) {
      await responder.reply(describeError(error, this.services.logger, log));
    } finally {
      responder.finish();
      await Promise.all(
        afterReply.map((work) =>
          work().catch((err: unknown) => this.services.logger.error({ err, ...log }, 'work after the reply failed')),
        ),
      );
    }
  }

  private route(interaction: RepliableInteraction): Route {
    if (interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand()) {
      const command = this.commands.get(commandKey(interaction.commandType, interaction.commandName));
      if (!command)
        throw new UserError('unknown-command', 'That command is no longer available; it may have been renamed.');
      const subcommand = interaction.isChatInputCommand() ? interaction.options.getSubcommand(false) : null;
      if (interaction.isChatInputCommand()) checkOptions(command.data, interaction.options.data);
      return {
        spec: command.preconditions,
        subcommand,
        bucket: `${interaction.commandName}:${subcommand ?? ''}`,
        run: (ctx) => command.execute(ctx),
      };
    }
    if (interaction.isButton() || interaction.isModalSubmit()) {
      const [name = '', action = '', ...args] = interaction.customId.split(':');
      const handler = this.commands.get(commandKey(ApplicationCommandType.ChatInput, name))?.components?.[action];
      if (!handler) throw new UserError('stale-component', 'That button is no longer in use. Run the command again.');
      return {
        spec: handler.preconditions,
        subcommand: null,
        bucket: `${name}:${action}`,
        run: (ctx) => handler.run(ctx, args),
      };
    }
    throw new UserError('unsupported', 'Lectern does not handle that kind of interaction.');
  }

  private async autocomplete(interaction: AutocompleteInteraction) {
    const command = this.commands.get(commandKey(ApplicationCommandType.ChatInput, interaction.commandName));
    let choices: ApplicationCommandOptionChoiceData[] = [];
    try {
      if (command?.autocomplete && interaction.inGuild()) {
        const [settings, session] = await Promise.all([
          this.services.settings.get(interaction.guildId),
          this.services.live.current(interaction.guildId),
        ]);
        choices = await command.autocomplete({
          interaction,
          services: this.services,
          guildId: interaction.guildId,
          settings,
          session,
          afterReply: () => {},
          reply: async () => {},
          update: async () => {},
        });
      }
    } catch (err) {
      this.services.logger.warn({ err, interactionId: interaction.id }, 'autocomplete failed');
    }
    await interaction.respond(choices.slice(0, 25).map((c) => ({ ...c, name: c.name.slice(0, 100) })));
  }
}

function routeName(interaction: RepliableInteraction) {
  if (interaction.isCommand()) return interaction.commandName;
  if ('customId' in interaction) return interaction.customId.split(':').slice(0, 2).join(':');
  return 'unknown';
}
