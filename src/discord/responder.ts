import { MessageFlags, type InteractionEditReplyOptions, type RepliableInteraction } from 'discord.js';
import type { ReplyOptions } from './command.js';

const NO_MENTIONS = { parse: [] as [], repliedUser: false };

/**
 * Answers one interaction exactly as Discord wants it: the first answer is a
 * reply, a later one a follow-up, and if the handler has not answered by
 * `deferAfterMs` the interaction is deferred so Discord's 3 s limit never bites.
 */
export class Responder {
  private deferral: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private answered = false;

  constructor(
    private readonly interaction: RepliableInteraction,
    deferAfterMs: number,
  ) {
    this.timer = setTimeout(() => this.defer(), deferAfterMs);
  }

  private defer(): void {
    if (this.answered || this.deferral) return;
    this.deferral = this.interaction.deferReply({ flags: MessageFlags.Ephemeral });
  }

  async reply(input: ReplyOptions | string): Promise<void> {
    clearTimeout(this.timer);
    const { ephemeral = true, ...options } = typeof input === 'string' ? { content: input } : input;
    const payload = { allowedMentions: NO_MENTIONS, ...options };
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    if (this.deferral && !this.answered) {
      this.answered = true;
      await this.deferral;
      await this.interaction.editReply(payload as InteractionEditReplyOptions);
    } else if (this.answered) {
      await this.interaction.followUp({ ...payload, flags });
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

  /** For buttons: replaces the message the button is on; otherwise the same as reply. */
  async update(input: ReplyOptions | string): Promise<void> {
    if (!this.interaction.isMessageComponent() || this.answered || this.deferral) return this.reply(input);
    clearTimeout(this.timer);
    this.answered = true;
    const { ephemeral: _ephemeral, ...options } = typeof input === 'string' ? { content: input } : input;
    await this.interaction.update({ allowedMentions: NO_MENTIONS, ...options });
  }

  /** Stops the defer timer; called when the handler returns. */
  finish(): void {
    clearTimeout(this.timer);
  }
}
