import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ChannelType, PermissionFlagsBits, type APIMessage } from 'discord-api-types/v10';
import { z } from 'zod';
import { INVITE_PERMISSIONS } from '../../src/discord/permissions.js';
import { STT_RATE, wavFile } from '../../src/domain/transcript/audio.js';
import type { Answer } from '../emulator/interactions.js';
import type { Emulator } from '../emulator/emulator.js';
import type { WorldGuild } from '../emulator/world.js';
import type { JobQueue } from '../../src/jobs/job-queue.js';
import { queueUtterance } from '../../src/voice/transcriber.js';
import type { Lectern } from '../../src/app.js';
import { until } from './bot-process.js';

const isoTime = z
  .string()
  .refine(
    (s) => /T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)$/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO date-time with an offset, like 2024-08-14T12:00:00-07:00',
  );
const optionValue = z.union([z.string().max(10_000), z.number(), z.boolean()]);
const common = { at: isoTime, why: z.string().optional(), expect: z.string().optional() };

const Step = z.union([
  z
    .object({
      ...common,
      as: z.string(),
      command: z.string().regex(/^\/[a-z-]+( [a-z-]+)?$/, 'must look like "/paper add"'),
      options: z.record(z.string(), optionValue).optional(),
    })
    .strict(),
  z.object({ ...common, as: z.string(), say: z.string().min(1).max(2000) }).strict(),
  z.object({ ...common, as: z.string(), press: z.literal('upvote'), question: z.string().min(1) }).strict(),
  // The Vote button on the card of the paper whose id or link contains `paper`.
  z.object({ ...common, as: z.string(), press: z.literal('vote'), paper: z.string().min(1) }).strict(),
  // Yes / I can't on the member's latest "Still presenting?" DM.
  z.object({ ...common, as: z.string(), press: z.literal('confirm'), answer: z.enum(['yes', 'no']) }).strict(),
  // A vote in the open poll: the answers naming these papers (replacing an earlier vote).
  z.object({ ...common, as: z.string(), pollVote: z.array(z.string().min(1)).min(1).max(10) }).strict(),
  z
    .object({
      ...common,
      as: z.string(),
      menu: z.enum(['Log as question', 'Save as highlight']),
      message: z.string().min(1),
    })
    .strict(),
  /**
   * What a member says aloud in the session channel, as the bot's voice receiver would hear it: it needs a live
   * session, and is heard only when the bot would be transcribing (the transcript on with /setup transcript and a
   * speech-to-text server set up, not stopped with /transcript stop). The step marks the session transcribed and
   * queues the utterance (a WAV of `seconds`, default about 0.4 s a word) for the real transcribe job, from the
   * step's time; from there the bot does what it does with any utterance: a member who did not opt in
   * (/transcript join) is left out, and the speech-to-text server gives the words (the demo's scripted one answers
   * with `speaks`).
   */
  z
    .object({
      ...common,
      as: z.string(),
      speaks: z.string().min(1).max(2000),
      seconds: z.number().min(1).max(30).optional(),
    })
    .strict(),
  z.object({ ...common, join: z.string() }).strict(),
  z.object({ ...common, leave: z.string() }).strict(),
  z.object({ ...common }).strict(),
]);

/** The scenario format (`lectern-scenario/1`); README.md documents it. */
export const ScenarioSchema = z
  .object({
    format: z.literal('lectern-scenario/1'),
    title: z.string().min(1).max(200),
    about: z.string().optional(),
    guild: z.string().min(1).max(100),
    timeZone: z.string().min(1),
    members: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9_-]+$/),
            name: z.string().min(1).max(32),
            host: z.boolean().optional(),
            manageServer: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1),
    steps: z.array(Step).min(1),
    speaking: z.array(z.object({ who: z.string(), from: isoTime, to: isoTime }).strict()).optional(),
  })
  .strict();

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioStep = Scenario['steps'][number];

/** Reads and checks a scenario; a bad one gets an error naming the step and the field. */
export function loadScenario(path: string): Scenario {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    let issue = parsed.error.issues[0]!;
    // A step matches none of the step kinds: report the kind it came closest to.
    if (issue.code === 'invalid_union') {
      const branches = (issue as unknown as { errors: Array<Array<typeof issue>> }).errors;
      const closest = [...branches].sort((a, b) => a.length - b.length)[0]?.[0];
      if (closest) issue = { ...closest, path: [...issue.path, ...closest.path] };
    }
    const [top, index, ...field] = issue.path;
    const where =
      top === 'steps'
        ? `step ${Number(index) + 1}${field.length ? `, field "${field.join('.')}"` : ''}`
        : `field "${issue.path.join('.')}"`;
    throw new Error(`${path}: ${where}: ${issue.message}`);
  }
  const keys = new Set(parsed.data.members.map((m) => m.id));
  parsed.data.steps.forEach((step, i) => {
    const who = 'as' in step ? step.as : 'join' in step ? step.join : 'leave' in step ? step.leave : undefined;
    if (who !== undefined && !keys.has(who))
      throw new Error(
        `${path}: step ${i + 1}, field "${'as' in step ? 'as' : 'join' in step ? 'join' : 'leave'}": no member "${who}"`,
      );
  });
  return parsed.data;
}

/** The scenario's guild in the emulator: its members, a host role, the channels a session uses. */
export function scenarioGuild(emu: Emulator, scenario: Scenario): WorldGuild {
  return emu.world.createGuild({
    name: scenario.guild,
    botPermissions: INVITE_PERMISSIONS.bitfield,
    roles: [
      { name: 'admins', permissions: PermissionFlagsBits.ManageGuild },
      { name: 'hosts' },
      { name: 'paper-club', mentionable: true },
    ],
    channels: [
      { name: 'general', type: ChannelType.GuildText },
      { name: 'announcements', type: ChannelType.GuildText },
      { name: 'recaps', type: ChannelType.GuildText },
      { name: 'paper-stage', type: ChannelType.GuildStageVoice },
    ],
    members: scenario.members.map((m) => ({
      name: m.name,
      roles: [...(m.manageServer ? ['admins'] : []), ...(m.host ? ['hosts'] : [])],
    })),
  });
}

const USER_OPTIONS = new Set(['presenter', 'user']);

export interface StepResult {
  step: ScenarioStep;
  answer?: Answer;
  /** A `speaks` step the bot heard: the utterance queued for its transcribe job. */
  utterance?: { sessionId: string; id: string };
}

/** What a `speaks` step needs: the bot it stands in the voice receiver of. */
export interface ScenarioSpeech {
  bot: Pick<Lectern, 'internals' | 'services'>;
  /** Called with each utterance's WAV (as the speech-to-text server will receive it) and its words, before it is queued. */
  onUtterance?: (wav: Buffer, words: string) => void;
}

/** About 0.4 s a word, within what one utterance may last (1 to 30 s). */
export function speakingSeconds(words: string): number {
  const count = words.split(/\s+/).filter(Boolean).length;
  return Math.min(30, Math.max(1, Math.round(count * 4) / 10));
}

/**
 * A voice-like signal (a tone with a syllable rhythm) of `seconds` at 16 kHz: not silent, and its pitch comes from
 * the words, so two different lines never give the same WAV.
 */
export function utteranceSamples(words: string, seconds: number): Int16Array {
  const pitch = 100 + (createHash('sha256').update(words).digest().readUInt32BE(0) / 2 ** 32) * 150;
  const samples = new Int16Array(Math.round(seconds * STT_RATE));
  for (let i = 0; i < samples.length; i++) {
    const t = i / STT_RATE;
    const syllables = 0.55 - 0.45 * Math.cos(2 * Math.PI * 4 * t);
    const tone = Math.sin(2 * Math.PI * pitch * t) + 0.4 * Math.sin(4 * Math.PI * pitch * t);
    samples[i] = Math.round(6_000 * syllables * tone);
  }
  return samples;
}

/**
 * Moves a bot's jobs to a clock that jumped (a replay goes from step to step
 * in no time): posts due by `now` run, and this waits until they are done.
 */
export async function catchUpJobs(jobs: JobQueue, now: number): Promise<void> {
  // What earlier steps set off (a session opened after the last one ended) is planned before time moves.
  await jobsIdle(jobs);
  if ((await jobs.realign(now)) === 0) return;
  await jobsIdle(jobs);
}

/** Waits until no job is waiting or running (delayed ones may remain). */
export async function jobsIdle(jobs: JobQueue): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const counts = await jobs.counts();
    if ((counts.waiting ?? 0) + (counts.active ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error('jobs did not finish in 20 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Waits until the bot has gone quiet: no request has reached the emulator for
 * `quietMs` and no job is waiting or running. The jobs an interaction sets off
 * are queued once its reply is through, so a job count alone, read right after
 * an answer, can miss them.
 */
export async function settled(emu: Emulator, jobs: JobQueue, quietMs = 40, pollMs = 10): Promise<void> {
  const deadline = Date.now() + 20_000;
  let seen = emu.requests.length;
  let since = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (emu.requests.length !== seen) [seen, since] = [emu.requests.length, Date.now()];
    const counts = await jobs.counts();
    if (Date.now() - since >= quietMs && (counts.waiting ?? 0) + (counts.active ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error('the bot did not go quiet in 20 s');
  }
}

/** The paper id a card's Vote button names. */
function paperIdOf(card: APIMessage) {
  const match = /"paper:vote:([^"]+)"/.exec(JSON.stringify(card.components));
  if (!match) throw new Error('that card has no Vote button');
  return match[1]!;
}

/** A player for the bot in `h` whose clock the scenario sets, with jobs due by each step run first. */
export function replayPlayer(
  h: { emu: Emulator; guild: WorldGuild; bot: Pick<Lectern, 'internals' | 'client' | 'services'> },
  scenario: Scenario,
  clock: { set(iso: string): void; now(): number },
): ScenarioPlayer {
  return new ScenarioPlayer(
    h.emu,
    h.guild,
    scenario,
    async (iso) => {
      clock.set(iso);
      await catchUpJobs(h.bot.internals.jobs, clock.now());
    },
    (userId) => h.bot.client?.guilds.cache.get(h.guild.id)?.voiceStates.cache.get(userId)?.channelId,
    { bot: h.bot },
  );
}

/** Plays steps as the members would, setting `setTime` to each step's time first. */
export class ScenarioPlayer {
  private readonly names: Map<string, string>;

  /**
   * `botSees`: the voice channel the bot's own cache has a member in (a join waits until the bot has seen it).
   * `speech`: the bot `speaks` steps reach (a scenario with such a step needs it).
   */
  constructor(
    private readonly emu: Emulator,
    private readonly guild: WorldGuild,
    scenario: Scenario,
    private readonly setTime: (iso: string) => void | Promise<void>,
    private readonly botSees: (userId: string) => string | null | undefined,
    private readonly speech?: ScenarioSpeech,
  ) {
    this.names = new Map(scenario.members.map((m) => [m.id, m.name]));
  }

  name(key: string): string {
    return this.names.get(key)!;
  }

  userId(key: string): string {
    return this.emu.world.memberByName(this.guild, this.name(key)).user.id;
  }

  async play(step: ScenarioStep): Promise<StepResult> {
    await this.setTime(step.at);
    const invoker = 'as' in step ? { guild: this.guild, user: this.name(step.as), channel: 'general' } : undefined;
    if ('command' in step && invoker) {
      const [name = '', sub] = step.command.slice(1).split(' ');
      const options: Record<string, string | number | boolean> = {};
      for (const [key, value] of Object.entries(step.options ?? {})) {
        options[key] = USER_OPTIONS.has(key) && typeof value === 'string' ? this.name(value) : value;
      }
      for (const key of Object.keys(options).filter((k) => this.emu.isAutocompleted(this.guild, name, sub, k))) {
        const choices = (await this.emu.autocomplete(invoker, name, sub, options, key).answer()).choices ?? [];
        if (choices.length === 0)
          throw new Error(`${step.at} ${step.command}: no autocomplete choice for ${key} "${options[key]}"`);
        options[key] = choices[0]!.value;
      }
      return { step, answer: await this.emu.command(invoker, name, sub, options).answer() };
    }
    if ('speaks' in step) return this.speak(step);
    if ('say' in step && invoker) {
      this.emu.memberMessage(this.guild, invoker.user, 'general', step.say);
      return { step };
    }
    if ('press' in step && step.press === 'vote' && invoker) {
      const card = await this.findMessage(
        (m) => (m.embeds[0]?.url ?? '').includes(step.paper) && JSON.stringify(m.components).includes('paper:vote'),
      );
      return { step, answer: await this.emu.button(invoker, card, `paper:vote:${paperIdOf(card)}`).answer() };
    }
    if ('press' in step && step.press === 'confirm' && invoker) {
      const dm = this.emu.dmChannel(this.userId(step.as)).id;
      const asked = await this.findMessage(
        (m) => m.channel_id === dm && m.content.startsWith('Still presenting') && (m.components?.length ?? 0) > 0,
      );
      const buttons = (asked.components![0] as { components: Array<{ custom_id: string }> }).components;
      const button = buttons[step.answer === 'yes' ? 0 : 1]!;
      return { step, answer: await this.emu.dmButton(this.guild, invoker.user, asked, button.custom_id).answer() };
    }
    if ('pollVote' in step && invoker) {
      const poll = await this.findMessage((m) => m.poll !== undefined && Date.parse(m.poll.expiry!) > this.emu.now());
      const answers = poll.poll!.answers.filter((a) => step.pollVote.some((p) => a.poll_media.text?.includes(p)));
      if (answers.length !== step.pollVote.length)
        throw new Error(`${step.at}: the poll has no answer for each of ${step.pollVote.join(', ')}`);
      this.emu.votePoll(
        this.guild,
        invoker.user,
        poll,
        answers.map((a) => a.answer_id),
      );
      return { step };
    }
    if ('press' in step && step.press === 'upvote' && invoker) {
      const card = await this.findMessage(
        (m) =>
          (m.embeds[0]?.description ?? '').includes(step.question) &&
          JSON.stringify(m.components).includes('ask:upvote'),
      );
      const button = (card.components![0] as { components: Array<{ custom_id: string }> }).components[0]!;
      return { step, answer: await this.emu.button(invoker, card, button.custom_id).answer() };
    }
    if ('menu' in step && invoker) {
      const target = await this.findMessage((m) => m.content.includes(step.message));
      return { step, answer: await this.emu.messageCommand(invoker, step.menu, target).answer() };
    }
    if ('join' in step || 'leave' in step) {
      const who = 'join' in step ? step.join : step.leave;
      const stage = this.emu.world.channelByName(this.guild, 'paper-stage').id;
      if ('join' in step) this.emu.joinVoice(this.guild, this.name(who), 'paper-stage');
      else this.emu.leaveVoice(this.guild, this.name(who));
      // The gateway event reaches the bot a moment later, as on Discord: the next step waits for it.
      const seen = () => (this.botSees(this.userId(who)) === stage) === 'join' in step;
      await until(seen, 10_000, `the bot to see ${who} ${'join' in step ? 'join' : 'leave'}`);
    }
    return { step };
  }

  /**
   * Stands in for the voice receiver (src/voice/transcriber.ts), and only for it: the utterance is queued by the
   * transcriber's own `queueUtterance`, and the real job decides what becomes of it.
   */
  private async speak(step: Extract<ScenarioStep, { speaks: string }>): Promise<StepResult> {
    if (!this.speech) throw new Error(`${step.at}: a "speaks" step needs a player given the bot (speech)`);
    const { bot, onUtterance } = this.speech;
    const { sessions, settings, transcripts, papers, jobs } = bot.internals;
    const guildId = this.guild.id;
    const session = await sessions.current(guildId);
    if (session?.status !== 'live')
      throw new Error(
        `${step.at}: ${step.as} speaks with no live session: put it between /session start and /session end`,
      );
    // The bot listens only when it would transcribe (as VoiceService decides): otherwise nothing is heard.
    if (!(await settings.get(guildId)).transcriptEnabled || !bot.services.transcripts.available) return { step };
    const state = await transcripts.state(guildId, session.id);
    if (state.stoppedAt !== undefined) return { step };
    if (!state.on) await transcripts.start(guildId, session.id);
    const from = bot.services.now();
    const to = from + (step.seconds ?? speakingSeconds(step.speaks)) * 1000;
    const wav = wavFile(utteranceSamples(step.speaks, (to - from) / 1000));
    onUtterance?.(wav, step.speaks);
    const userId = this.userId(step.as);
    const heard = { userId, from: Math.round(from), to: Math.round(to), wav };
    const id = await queueUtterance({ transcripts, jobs }, guildId, session.id, heard, await papers.current(guildId));
    return { step, utterance: { sessionId: session.id, id } };
  }

  private async findMessage(match: (m: APIMessage) => boolean): Promise<APIMessage> {
    let found: APIMessage | undefined;
    await until(
      () => {
        for (const channel of this.emu.world.channels.values()) {
          found = this.emu.messagesIn(channel.id).find(match);
          if (found) return true;
        }
        return false;
      },
      10_000,
      'the message a step refers to',
    );
    return found!;
  }
}
