import { EndBehaviorType, type AudioReceiveStream, type VoiceReceiver } from '@discordjs/voice';
import prism from 'prism-media';
import { cleanText } from '../domain/papers/metadata.js';
import { Downsampler, UtteranceBuffer, wavFile, type Utterance } from '../domain/transcript/audio.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import { newId } from '../store/ids.js';
import type { PaperStore } from '../store/paper-store.js';
import type { TranscriptStore } from '../store/transcript-store.js';

/** An utterance ends after this much silence (Discord clients stop sending packets when a member goes quiet). */
const END_AFTER_SILENCE_MS = 800;
/** Discord clients send five of these Opus frames when a member stops talking: silence, never sent to a provider. */
const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);

export interface TranscriberDeps {
  transcripts: TranscriptStore;
  papers: Pick<PaperStore, 'current'>;
  jobs: JobQueue;
  now(): number;
  logger: Logger;
}

/** One opted-in member speaking now: their Opus stream, its decoder, and the audio of the current utterance. */
interface Speaker {
  opus: AudioReceiveStream;
  decoder: prism.opus.Decoder;
  downsampler: Downsampler;
  utterance: UtteranceBuffer;
  /** Utterances handed off but not yet queued (the Redis write in flight). */
  queuing: Promise<unknown>;
}

/**
 * The transcript's ears in one session: subscribes to the audio of members who opted in, and only theirs (nobody
 * else's audio is decrypted or decoded), turns each utterance into a 16 kHz mono WAV in memory and queues it for
 * the speech-to-text job. Audio never touches the disk; each speaker holds at most one 30 s piece.
 */
export class Transcriber {
  private readonly speakers = new Map<string, Speaker>();
  private members = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly receiver: VoiceReceiver,
    private readonly guildId: string,
    private readonly sessionId: string,
    private readonly deps: TranscriberDeps,
  ) {}

  /** Re-reads who opted in; a member who left stops being heard at once, and what they were saying is dropped. */
  async refresh() {
    this.members = await this.deps.transcripts.members(this.guildId);
    for (const userId of this.speakers.keys()) if (!this.members.has(userId)) this.drop(userId);
  }

  /** Member ids subscribed to right now. */
  get listeningTo() {
    return [...this.speakers.keys()];
  }

  /** Bytes of audio held across speakers. */
  get heldBytes() {
    let total = 0;
    for (const speaker of this.speakers.values()) total += speaker.utterance.heldBytes;
    return total;
  }

  speakingStarted(userId: string) {
    if (this.stopped || this.speakers.has(userId) || !this.members.has(userId)) return;
    const opus = this.receiver.subscribe(userId, {
      end: { behavior: EndBehaviorType.AfterSilence, duration: END_AFTER_SILENCE_MS },
    });
    const decoder = new prism.opus.Decoder({ rate: 48_000, channels: 2, frameSize: 960 });
    const speaker: Speaker = {
      opus,
      decoder,
      downsampler: new Downsampler(),
      utterance: new UtteranceBuffer(this.deps.now()),
      queuing: Promise.resolve(),
    };
    this.speakers.set(userId, speaker);
    this.deps.logger.debug({ guildId: this.guildId, userId }, 'audio subscription opened');
    decoder.on('data', (pcm: Buffer) => {
      for (const piece of speaker.utterance.push(speaker.downsampler.push(samplesOf(pcm)))) this.hand(userId, piece);
    });
    decoder.once('end', () => this.finish(userId, speaker));
    const failed = (err: unknown) => {
      this.deps.logger.warn({ err, guildId: this.guildId, userId }, 'audio not decoded: this utterance is lost');
      this.close(userId, speaker);
    };
    opus.once('error', failed);
    decoder.once('error', failed);
    opus.on('data', (packet: Buffer) => {
      if (!packet.equals(SILENCE_FRAME)) decoder.write(packet);
    });
    opus.once('end', () => decoder.end());
  }

  /** Ends every subscription; what was said until now is still queued. Waits until it is. */
  async stop() {
    this.stopped = true;
    const speakers = [...this.speakers.entries()];
    for (const [userId, speaker] of speakers) this.finish(userId, speaker);
    await Promise.all(speakers.map(([, speaker]) => speaker.queuing));
  }

  private finish(userId: string, speaker: Speaker) {
    if (this.speakers.get(userId) !== speaker) return;
    const rest = speaker.utterance.end();
    if (rest) this.hand(userId, rest);
    this.close(userId, speaker);
  }

  private drop(userId: string) {
    const speaker = this.speakers.get(userId);
    if (speaker) this.close(userId, speaker);
  }

  private close(userId: string, speaker: Speaker) {
    if (this.speakers.get(userId) === speaker) this.speakers.delete(userId);
    speaker.opus.removeAllListeners('data');
    speaker.opus.destroy();
    speaker.decoder.destroy();
  }

  /** Queued in order per speaker; a failure loses that utterance only (logged). */
  private hand(userId: string, piece: Utterance) {
    const speaker = this.speakers.get(userId);
    const queued = (speaker?.queuing ?? Promise.resolve()).then(() => this.queue(userId, piece));
    const settled = queued.catch((err: unknown) =>
      this.deps.logger.warn({ err, guildId: this.guildId, userId }, 'utterance not queued: it is lost'),
    );
    if (speaker) speaker.queuing = settled;
  }

  private async queue(userId: string, { from, to, samples }: Utterance) {
    const paper = await this.deps.papers.current(this.guildId);
    const id = newId();
    await this.deps.transcripts.queue(this.guildId, this.sessionId, { id, userId, from, wav: wavFile(samples) });
    await this.deps.jobs.enqueue(
      'transcribe',
      {
        guildId: this.guildId,
        sessionId: this.sessionId,
        utteranceId: id,
        userId,
        from: Math.round(from),
        to: Math.round(to),
        ...(paper && { paperId: paper.id }),
        // The title's words (names, jargon) help the provider; a bare link would not.
        ...(paper?.metadataStatus === 'ready' && { prompt: cleanText(paper.title, 300) }),
      },
      { jobId: `stt-${this.guildId}-${id}` },
    );
  }
}

/** The decoder's PCM as samples, copied only when the bytes are not aligned for an Int16Array view. */
function samplesOf(pcm: Buffer) {
  if (pcm.byteOffset % 2 === 0) return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
  return new Int16Array(Uint8Array.from(pcm).buffer);
}
