import { performance } from 'node:perf_hooks';
import type { APIInteraction, APIMessage } from 'discord-api-types/v10';

/** What the member sees as the bot's answer to an interaction. */
export interface Answer {
  callbackType: number;
  content: string;
  embeds: NonNullable<APIMessage['embeds']>;
  components: NonNullable<APIMessage['components']>;
  attachments: APIMessage['attachments'];
  ephemeral: boolean;
  /** Autocomplete choices, for type 8. */
  choices?: Array<{ name: string; value: string | number }>;
  message?: APIMessage;
}

/** One interaction the emulator sent, and everything the bot did to answer it. */
export class InteractionRecord {
  readonly sentAt = performance.now();
  callback: { type: number; data: unknown; at: number } | undefined;
  /** The message the interaction's webhook calls @original. */
  originalId: string | undefined;
  readonly followupIds: string[] = [];
  private waiters: Array<() => void> = [];
  answered = false;

  constructor(
    readonly payload: APIInteraction,
    private readonly readMessage: (id: string) => APIMessage | undefined,
  ) {}

  get id(): string {
    return this.payload.id;
  }

  get token(): string {
    return this.payload.token;
  }

  /** Milliseconds from dispatch to the callback reaching the emulator. */
  get roundTripMs(): number | undefined {
    return this.callback ? this.callback.at - this.sentAt : undefined;
  }

  /** Called by the REST side whenever the answer may have become visible. */
  markAnswered(): void {
    this.answered = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits for the visible answer: a reply, an update, autocomplete choices, or the first edit or follow-up after a defer. */
  async answer(timeoutMs = 5_000): Promise<Answer> {
    if (!this.answered) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`interaction ${this.describe()} not answered within ${timeoutMs} ms`)),
          timeoutMs,
        );
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const type = this.callback!.type;
    if (type === 8) {
      const choices = (this.callback!.data as { choices?: Answer['choices'] }).choices ?? [];
      return { callbackType: 8, content: '', embeds: [], components: [], attachments: [], ephemeral: true, choices };
    }
    const message = this.readMessage(type === 6 && this.followupIds[0] ? this.followupIds[0] : this.originalId!);
    if (!message) throw new Error(`interaction ${this.describe()} has no visible message`);
    return {
      callbackType: type,
      content: message.content,
      embeds: message.embeds ?? [],
      components: message.components ?? [],
      attachments: message.attachments,
      ephemeral: ((message.flags ?? 0) & 64) !== 0,
      message,
    };
  }

  /** True once the original response holds real content (not a "thinking" placeholder). */
  originalEdited = false;

  describe(): string {
    const data = this.payload.data as { name?: string; custom_id?: string } | undefined;
    return `${this.payload.id} (${data?.name ?? data?.custom_id ?? this.payload.type})`;
  }
}
