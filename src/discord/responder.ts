import { MessageFlags, type InteractionEditReplyOptions, type RepliableInteraction } from 'discord.js';
import type { ReplyOptions } from './command.js';

const NO_MENTIONS = { parse: [] as [], repliedUser: false };

/** Defers after `deferAfterMs` so Discord's 3 s limit never bites. */
export class Responder {
  private deferral: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private answered = false;

  constructor(
    private readonly interaction: RepliableInteraction,
    deferAfterMs: number,
  ) {
    this.timer = setTimeout(() => {
      if (!this.answered && !this.deferral) this.deferral = interaction.deferReply({ flags: MessageFlags.Ephemeral });
    }, deferAfterMs);
  }

  async reply(input: ReplyOptions | string) {
    clearTimeout(this.timer);
    const { ephemeral = true, ...options } = typeof input === 'string' ? { content: input } : input;
    const payload = { allowedMentions: NO_MENTIONS, ...options };
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    if (this.answered) {
      await this.interaction.followUp({ ...payload, flags });
    } else if (this.deferral) {
      this.answered = true;
      await this.deferral;
      await this.interaction.editReply(payload as InteractionEditReplyOptions);
    } else {
      this.answered = true;
      try {
        await this.interaction.reply({ ...payload, flags });
      } catch (error) {
        // Nothing reached the member: let the error reply be the first answer.
        this.answered = this.interaction.replied || this.interaction.deferred;
        throw error;
      }
    }
  }

  async update(input: ReplyOptions | string) {
    if (!this.interaction.isMessageComponent() || this.answered || this.deferral) return this.reply(input);
    clearTimeout(this.timer);
    this.answered = true;
    const { ephemeral: _ephemeral, ...options } = typeof input === 'string' ? { content: input } : input;
    await this.interaction.update({ allowedMentions: NO_MENTIONS, ...options });
  }

  finish() {
    clearTimeout(this.timer);
  }
}
