import { EndBehaviorType, type AudioReceiveStream, type VoiceReceiver } from '@discordjs/voice';
import { cleanText } from '../domain/papers/metadata.js';
import type { Paper } from '../domain/papers/paper.js';
import { STT_RATE, wavFile } from '../domain/transcript/audio.js';
import { transcribeJobId } from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import { newId } from '../store/ids.js';
import type { PaperStore } from '../store/paper-store.js';
import type { TranscriptStore } from '../store/transcript-store.js';
import { SpeakerAudio } from './speaker-audio.js';

/** An utterance ends after this much silence (Discord clients stop sending packets when a member goes quiet). */
const END_AFTER_SILENCE_MS = 800;
/** Discord clients send five of these Opus frames when a member stops talking: silence, never sent to a provider. */
const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);
/** Packets kept while the decoder starts (it takes a few milliseconds): a second of speech at most. */
const MAX_EARLY_PACKETS = 50;

export interface TranscriberDeps {
  transcripts: TranscriptStore;
  papers: Pick<PaperStore, 'current'>;
  jobs: JobQueue;
  now(): number;
  logger: Logger;
}

/** When the current piece of an utterance began, and the paper being presented then. */
interface PieceStart {
  at: number;
  paper: Promise<Paper | undefined>;
}

/** One opted-in member speaking now: their Opus stream and the audio of the current utterance. */
interface Speaker {
  opus: AudioReceiveStream;
  /** Undefined while its decoder starts; the packets meanwhile wait in `early`. */
  audio?: SpeakerAudio;
  early: Buffer[];
  piece: PieceStart;
  /** Utterances handed off but not yet queued (the Redis write in flight). */
  queuing: Promise<unknown>;
  closed: boolean;
}

/**
 * The transcript's ears in one session: subscribes to the audio of members who opted in, and only theirs (nobody
 * else's audio is decrypted or decoded), turns each utterance into a 16 kHz mono WAV in memory and queues it for
 * the speech-to-text job. Audio never touches the disk; each speaker holds at most one 30 s piece.
 */
export class Transcriber {
  private readonly speakers = new Map<string, Speaker>();
  /** One decoder per member heard, kept between their utterances (opening one costs more than decoding). */
  private readonly decoders = new Map<string, Promise<SpeakerAudio>>();
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
    for (const userId of this.decoders.keys()) if (!this.members.has(userId)) this.freeDecoder(userId);
  }

  /** Member ids subscribed to right now. */
  get listeningTo() {
    return [...this.speakers.keys()];
  }

  /** Bytes of audio held across speakers. */
  get heldBytes() {
    let total = 0;
    for (const speaker of this.speakers.values()) total += speaker.audio?.heldBytes ?? 0;
    return total;
  }

  speakingStarted(userId: string) {
    if (this.stopped || this.speakers.has(userId) || !this.members.has(userId)) return;
    const opus = this.receiver.subscribe(userId, {
      end: { behavior: EndBehaviorType.AfterSilence, duration: END_AFTER_SILENCE_MS },
    });
    const speaker: Speaker = { opus, early: [], piece: this.pieceStart(), queuing: Promise.resolve(), closed: false };
    this.speakers.set(userId, speaker);
    this.deps.logger.debug({ guildId: this.guildId, userId }, 'audio subscription opened');
    opus.on('data', (packet: Buffer) => {
      if (packet.equals(SILENCE_FRAME)) return;
      if (speaker.audio) this.decode(userId, speaker, packet);
      else if (speaker.early.length < MAX_EARLY_PACKETS) speaker.early.push(packet);
    });
    opus.once('end', () => this.finish(userId, speaker));
    opus.once('error', (err) => {
      this.deps.logger.warn({ err, guildId: this.guildId, userId }, 'audio stream failed: the utterance ends here');
      this.finish(userId, speaker);
    });
    this.decoderOf(userId).then(
      (audio) => {
        if (speaker.closed) return;
        speaker.audio = audio;
        for (const packet of speaker.early.splice(0)) this.decode(userId, speaker, packet);
      },
      (err: unknown) => {
        this.decoders.delete(userId);
        this.deps.logger.warn({ err, guildId: this.guildId, userId }, 'no Opus decoder: this utterance is lost');
        this.close(userId, speaker);
      },
    );
  }

  private decoderOf(userId: string) {
    let audio = this.decoders.get(userId);
    if (!audio) this.decoders.set(userId, (audio = SpeakerAudio.open()));
    return audio;
  }

  private freeDecoder(userId: string) {
    const audio = this.decoders.get(userId);
    this.decoders.delete(userId);
    void audio?.then((decoder) => decoder.free()).catch(() => {});
  }

  private decode(userId: string, speaker: Speaker, packet: Buffer) {
    for (const samples of speaker.audio!.push(packet)) {
      this.hand(userId, samples, speaker.piece);
      // The next 30 s piece starts now, maybe under another paper.
      speaker.piece = this.pieceStart();
    }
  }

  /** Ends every subscription; what was said until now is still queued (waited for); every decoder is freed. */
  async stop() {
    this.stopped = true;
    const speakers = [...this.speakers.entries()];
    for (const [userId, speaker] of speakers) this.finish(userId, speaker);
    for (const userId of [...this.decoders.keys()]) this.freeDecoder(userId);
    await Promise.all(speakers.map(([, speaker]) => speaker.queuing));
  }

  /** The utterance is over: what is left of it is queued. */
  private finish(userId: string, speaker: Speaker) {
    if (speaker.closed) return;
    const rest = speaker.audio?.end();
    delete speaker.audio;
    if (rest) this.hand(userId, rest, speaker.piece);
    this.close(userId, speaker);
  }

  /** Read when the speech begins: a host moving to the next paper while it is queued does not move it. */
  private pieceStart(): PieceStart {
    const paper = this.deps.papers.current(this.guildId).catch(() => undefined);
    return { at: this.deps.now(), paper };
  }

  private drop(userId: string) {
    const speaker = this.speakers.get(userId);
    if (speaker) this.close(userId, speaker);
  }

  /** The subscription ends; anything not handed out is dropped (the decoder stays for the member's next words). */
  private close(userId: string, speaker: Speaker) {
    if (speaker.closed) return;
    speaker.closed = true;
    if (this.speakers.get(userId) === speaker) this.speakers.delete(userId);
    speaker.opus.removeAllListeners('data');
    speaker.opus.destroy();
    speaker.audio?.discard();
    delete speaker.audio;
    speaker.early = [];
  }

  /**
   * Queued in order per speaker. A piece's times: from when its first packet came, for as long as its audio lasts
   * (pauses shorter than the silence window carry no packets, so a long utterance can span more wall time).
   */
  private hand(userId: string, samples: Int16Array, start: PieceStart) {
    const speaker = this.speakers.get(userId);
    const queued = (speaker?.queuing ?? Promise.resolve()).then(() => this.queue(userId, samples, start));
    const settled = queued.catch((err: unknown) =>
      this.deps.logger.warn({ err, guildId: this.guildId, userId }, 'utterance not queued: it is lost'),
    );
    if (speaker) speaker.queuing = settled;
  }

  private async queue(userId: string, samples: Int16Array, start: PieceStart) {
    const paper = await start.paper;
    const from = Math.round(start.at);
    const heard = {
      userId,
      from,
      to: Math.round(start.at + (samples.length * 1000) / STT_RATE),
      wav: wavFile(samples),
    };
    try {
      await queueUtterance(this.deps, this.guildId, this.sessionId, heard, paper);
    } catch (err) {
      // The audio store is full or gone: the transcript says what is missing instead of losing it silently.
      this.deps.logger.warn({ err, guildId: this.guildId, userId }, 'audio not stored: kept as a gap');
      const { wav: _audio, ...times } = heard;
      await this.deps.transcripts.resolve(this.guildId, this.sessionId, {
        id: newId(),
        ...times,
        ...(paper && { paperId: paper.id }),
        gap: 'the audio could not be held',
      });
    }
  }
}

/**
 * What becomes of each piece of speech heard: its audio held until its text is back, and its `transcribe` job
 * queued, with the paper being presented (whose title's words, names and jargon, help the provider; a bare link
 * would not). Returns the utterance's id.
 */
export async function queueUtterance(
  deps: Pick<TranscriberDeps, 'transcripts' | 'jobs'>,
  guildId: string,
  sessionId: string,
  { userId, from, to, wav }: { userId: string; from: number; to: number; wav: Buffer },
  paper: Pick<Paper, 'id' | 'title' | 'metadataStatus'> | undefined,
) {
  const id = newId();
  const heard = { id, userId, from, to, ...(paper && { paperId: paper.id }) };
  await deps.transcripts.queue(guildId, sessionId, { ...heard, wav });
  await deps.jobs.enqueue(
    'transcribe',
    {
      guildId,
      sessionId,
      utteranceId: id,
      userId,
      from,
      to,
      ...(paper && { paperId: paper.id }),
      ...(paper?.metadataStatus === 'ready' && { prompt: cleanText(paper.title, 300) }),
    },
    { jobId: transcribeJobId(guildId, id) },
  );
  return id;
}
