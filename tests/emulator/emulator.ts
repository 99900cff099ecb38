import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  GatewayIntentBits,
  GuildScheduledEventStatus,
  InteractionType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIGuildScheduledEvent,
  type APIInteraction,
  type APIMessage,
  type APIStageInstance,
  type GatewayVoiceState,
} from 'discord-api-types/v10';
import { Gateway } from './gateway.js';
import { readBody, sendJson, type UploadedFile } from './http.js';
import { InteractionRecord } from './interactions.js';
import { computePings, type PostRecord } from './messages.js';
import { EmulatedPolls } from './polls.js';
import { apiChannel, apiMember, interactionMember } from './payloads.js';
import {
  LimiterClock,
  RateLimiter,
  rateLimitTable,
  type Admission,
  type BucketState,
  type RateLimitOverrides,
  type Refusal,
} from './rate-limits.js';
import { restRoutes, type RestReply, type RestRequest } from './rest.js';
import { snowflake } from './snowflake.js';
import { checkSchema, invalidFormBody, schemas, type Problem } from './validate.js';
import type { VoiceServer } from './voice.js';
import { World, type WorldChannel, type WorldGuild } from './world.js';

/** A fault the next matching requests get: a status (429 with retry_after, 500, ...) and/or a delay. */
export interface Fault {
  method?: string;
  path: RegExp;
  times: number;
  status?: number;
  retryAfter?: number;
  global?: boolean;
  delayMs?: number;
  /** Apply the delay after the request took effect (the message exists) and before the answer: a reply lost in a crash. */
  afterAccept?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

export interface Invoker {
  guild: WorldGuild;
  /** Member display name or user id. */
  user: string;
  /** Channel name or id; defaults to the guild's first text channel. */
  channel?: string;
}

type OptionValue = string | number | boolean;

export interface EmulatorOptions {
  token?: string;
  applicationId?: string;
  shardCount?: number;
  port?: number;
  /** Discord's "now" (for checks like "a scheduled event starts in the future"); tests that compress time pass their clock. */
  now?: () => number;
  /**
   * Discord's rate limits (tests/emulator/rate-limits.ts): `false` turns them off, an object overrides entries of
   * the table. Unset: LECTERN_EMULATOR_RATE_LIMITS (`on`, `off` or JSON overrides) decides, else
   * RATE_LIMITS_BY_DEFAULT.
   */
  rateLimits?: boolean | RateLimitOverrides;
}

/** On, as on Discord: every e2e test checks the bot provoked no 429 (tests/support/no-provoked-429s.ts). */
export const RATE_LIMITS_BY_DEFAULT = true;

/** A 429 the bot provoked: which limit, on which route and bucket. */
export interface RateLimitHit extends Refusal {
  method: string;
  path: string;
  route: string;
  bucket: string;
  /** Seconds, as the 429's body says. */
  retryAfter: number;
}

/**
 * The limits an emulator applies, or undefined for none: its option, else LECTERN_EMULATOR_RATE_LIMITS (`on`,
 * `off`, or a JSON object of overrides, which turns them on), so a whole run can switch them without editing tests.
 */
function rateLimitsFor(option: EmulatorOptions['rateLimits']): RateLimitOverrides | undefined {
  if (option !== undefined) return option === false ? undefined : option === true ? {} : option;
  const env = process.env.LECTERN_EMULATOR_RATE_LIMITS?.trim();
  if (env === 'on') return {};
  if (env === 'off') return undefined;
  if (env?.startsWith('{')) return JSON.parse(env) as RateLimitOverrides;
  return RATE_LIMITS_BY_DEFAULT ? {} : undefined;
}

/** With LECTERN_EMULATOR_RATE_LIMIT_LOG=<file>, every provoked 429 and retry is appended there as a JSON line. */
function logRateLimit(entry: Record<string, unknown>): void {
  const file = process.env.LECTERN_EMULATOR_RATE_LIMIT_LOG;
  if (file) appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

const asObject = (json: unknown): Record<string, unknown> =>
  json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};

const retryKey = (method: string, path: string, json: unknown) =>
  `${method} ${path} ${createHash('sha1')
    .update(JSON.stringify(json ?? null))
    .digest('hex')}`;

/**
 * A local Discord: REST and gateway on one loopback port. It validates every
 * body against Discord's published schemas and documented limits, keeps the
 * state Lectern touches, and drives interactions as members would.
 */
export class Emulator {
  /** Every emulator made in this test process, so a shared hook can check each one. */
  static readonly made = new Set<Emulator>();
  readonly token: string;
  readonly world: World;
  readonly gateway: Gateway;
  readonly shardCount: number;
  readonly requests: RecordedRequest[] = [];
  /** Bodies Discord would refuse, and 429s the bot provoked (also in `rateLimited`, with the bucket). */
  readonly violations: Array<{ method: string; path: string; problems: Problem[] }> = [];
  /** Discord's rate limits, or undefined when they are off. */
  limiter: RateLimiter | undefined;
  /** Every 429 the bot provoked by going over a limit (a test's injected faults are not here). */
  readonly rateLimited: RateLimitHit[] = [];
  /** Requests that repeated one answered 429 (same method, path and body), and how long after. */
  readonly rateLimitRetries: Array<{ method: string; path: string; waitedMs: number }> = [];
  private readonly limitedAt = new Map<string, number>();
  readonly posts: PostRecord[] = [];
  readonly polls = new EmulatedPolls(this);
  readonly commands = new Map<string, APIApplicationCommand[]>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly nonces = new Map<string, string>();
  private readonly faults: Fault[] = [];
  private voice: VoiceServer | undefined;
  /** The bot's voice state requests (gateway op 4), in order. */
  readonly botVoiceRequests: Array<{
    guildId: string;
    channelId: string | null;
    selfMute: boolean;
    selfDeaf: boolean;
    at: number;
  }> = [];
  /** Discord's "now"; replaceable so a rehearsal at another time sees the same checks. */
  now: () => number;
  private readonly routes;
  private server: Server | undefined;
  private port: number;
  private requestWaiters: Array<{ match: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }> = [];

  constructor(options: EmulatorOptions = {}) {
    Emulator.made.add(this);
    this.token = options.token ?? 'emulator-token';
    this.world = new World(options.applicationId ?? snowflake());
    this.shardCount = options.shardCount ?? 1;
    this.now = options.now ?? Date.now;
    this.port = options.port ?? 0;
    const limits = rateLimitsFor(options.rateLimits);
    this.limiter = limits && new RateLimiter(rateLimitTable(limits), new LimiterClock(() => this.now()));
    this.gateway = new Gateway(this.world, this.token, () => this.gatewayUrl);
    this.routes = restRoutes(this);
    this.gateway.onVoiceStateUpdate = (d) => this.botVoiceState(d);
  }

  get applicationId(): string {
    return this.world.applicationId;
  }

  /** The REST base to give discord.js (`rest.api`, or DISCORD_API_URL): no version, the library adds it. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    this.gateway.attach(server);
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Stops and starts again on the same port, forgetting gateway sessions: clients must identify anew. */
  async restart(downMs = 200): Promise<void> {
    await this.stop();
    this.gateway.forgetSessions();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  /** Drops every gateway socket; clients resume and get what they missed. */
  dropGateway(): void {
    this.gateway.dropConnections();
  }

  /** Turns Discord's rate limits on from now (a run that timed something without them first: the benchmark). */
  enableRateLimits(overrides: RateLimitOverrides = {}): void {
    this.limiter ??= new RateLimiter(rateLimitTable(overrides), new LimiterClock(() => this.now()));
  }

  fault(fault: Fault): void {
    this.faults.push(fault);
  }

  /** Resolves with the first recorded request (past or future) that matches. */
  waitForRequest(match: (r: RecordedRequest) => boolean, timeoutMs = 5_000): Promise<RecordedRequest> {
    const seen = this.requests.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching request')), timeoutMs);
      this.requestWaiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }

  // --- REST plumbing -------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const arrivedAt = this.limiter?.clock.read();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname).replace(/^\/api(\/v\d+)?/, '');
    const method = req.method ?? 'GET';
    let body: unknown;
    let reply: RestReply;
    let admission: Admission | undefined;
    try {
      const parsed = await readBody(req);
      body = parsed.json;
      admission = this.limiter?.admit(
        method,
        path,
        asObject(parsed.json),
        req.headers.authorization ?? 'ip',
        arrivedAt,
      );
      this.noteRetry(method, path, parsed.json);
      reply = admission?.refusal
        ? this.refuse(method, path, admission.state, admission.refusal)
        : await this.handle(
            method,
            path,
            url.searchParams,
            parsed.json,
            parsed.files,
            req.headers.authorization,
            receivedAt,
          );
    } catch (error) {
      reply = { status: 500, body: { code: 0, message: `emulator error: ${(error as Error).message}` } };
    }
    if (reply.problems) {
      this.violations.push({ method, path, problems: reply.problems });
      reply = { status: 400, body: invalidFormBody(reply.problems) };
    }
    const record = { method, path, body, status: reply.status };
    this.requests.push(record);
    this.requestWaiters = this.requestWaiters.filter((w) => !(w.match(record) && (w.resolve(record), true)));
    const headers = this.rateLimitHeaders(reply, admission);
    if (reply.status === 429) this.limitedAt.set(retryKey(method, path, body), performance.now());
    if (admission?.refusal?.kind !== 'ban') this.limiter?.settle(reply.status, headers['x-ratelimit-scope']);
    sendJson(res, reply.status, reply.body, headers);
  }

  /** The 429 for a request over a limit, recorded as the bot's fault (like a schema violation). */
  private refuse(method: string, path: string, state: BucketState, refusal: Refusal): RestReply {
    const retryAfter = Math.round(refusal.retryAfterMs) / 1000;
    const hit: RateLimitHit = { method, path, ...refusal, route: state.route, bucket: state.bucket, retryAfter };
    this.rateLimited.push(hit);
    logRateLimit({ at: new Date().toISOString(), ...hit });
    this.violations.push({
      method,
      path,
      problems: [
        {
          path: '',
          message:
            `429 (${refusal.kind}, scope ${refusal.scope}) from ${refusal.rule} on ${state.route} ` +
            `(bucket ${state.bucket}:${state.major}); retry after ${retryAfter} s`,
        },
      ],
    });
    const global = refusal.scope === 'global';
    const message =
      refusal.kind === 'ban'
        ? 'You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently.'
        : 'You are being rate limited.';
    return { status: 429, body: { message, retry_after: retryAfter, global }, refusal };
  }

  /** Discord's rate-limit headers: on every answer while limits are on, and on any 429. */
  private rateLimitHeaders(reply: RestReply, admission: Admission | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    const state = admission?.state;
    if (state) {
      Object.assign(headers, {
        'x-ratelimit-limit': String(state.limit),
        'x-ratelimit-remaining': String(state.remaining),
        'x-ratelimit-reset': ((this.now() + state.resetAfterMs) / 1000).toFixed(3),
        'x-ratelimit-reset-after': (state.resetAfterMs / 1000).toFixed(3),
        'x-ratelimit-bucket': state.bucket,
      });
    }
    if (reply.status !== 429) return headers;
    const { retry_after: retry, global } = reply.body as { retry_after: number; global: boolean };
    const scope = reply.refusal?.scope ?? (global ? 'global' : 'user');
    headers['retry-after'] = String(Math.ceil(retry));
    headers['x-ratelimit-scope'] = scope;
    if (global) headers['x-ratelimit-global'] = 'true';
    if (!reply.refusal) {
      // A test's injected 429: the bucket reads as spent until retry_after, or until the real bucket resets if
      // that is later (a shorter reset would tell the bot it may send into a bucket that is still full).
      const resetAfter = Math.max(retry, (state?.resetAfterMs ?? 0) / 1000);
      Object.assign(headers, {
        'x-ratelimit-limit': headers['x-ratelimit-limit'] ?? '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': ((this.now() + resetAfter * 1000) / 1000).toFixed(3),
        'x-ratelimit-reset-after': resetAfter.toFixed(3),
        'x-ratelimit-bucket': headers['x-ratelimit-bucket'] ?? 'emulated',
      });
    }
    return headers;
  }

  /** A request repeating one that got a 429 (same method, path and body) is a retry. */
  private noteRetry(method: string, path: string, json: unknown): void {
    const key = retryKey(method, path, json);
    const limitedAt = this.limitedAt.get(key);
    if (limitedAt === undefined) return;
    this.limitedAt.delete(key);
    const retry = { method, path, waitedMs: Math.round(performance.now() - limitedAt) };
    this.rateLimitRetries.push(retry);
    logRateLimit({ at: new Date().toISOString(), kind: 'retry', ...retry });
  }

  private async handle(
    method: string,
    path: string,
    query: URLSearchParams,
    json: unknown,
    files: UploadedFile[],
    auth: string | undefined,
    receivedAt: number,
  ): Promise<RestReply> {
    const faultIndex = this.faults.findIndex((f) => f.path.test(path) && (!f.method || f.method === method));
    let holdAfter = 0;
    if (faultIndex >= 0) {
      const fault = this.faults[faultIndex]!;
      if (--fault.times <= 0) this.faults.splice(faultIndex, 1);
      if (fault.afterAccept) holdAfter = fault.delayMs ?? 0;
      else if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.status === 429)
        return {
          status: 429,
          body: {
            message: 'You are being rate limited.',
            retry_after: fault.retryAfter ?? 0.1,
            global: fault.global ?? false,
          },
        };
      if (fault.status) return { status: fault.status, body: { code: 0, message: 'emulated failure' } };
    }
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (route.auth && auth !== `Bot ${this.token}`)
        return { status: 401, body: { code: 0, message: '401: Unauthorized' } };
      const request: RestRequest = {
        method,
        receivedAt,
        params: match.slice(1),
        query,
        body: (json ?? {}) as Record<string, unknown>,
        files,
      };
      if (holdAfter === 0) return route.handler(request);
      const reply = await route.handler(request);
      await new Promise((resolve) => setTimeout(resolve, holdAfter));
      return reply;
    }
    return { status: 404, body: { code: 0, message: `emulator has no route ${method} ${path}` } };
  }

  // --- state operations used by the routes ---------------------------------

  findMessage(id: string): APIMessage | undefined {
    for (const messages of this.world.messages.values()) {
      const message = messages.get(id);
      if (message) return message;
    }
    return undefined;
  }

  storeMessage(
    channelId: string,
    body: Record<string, unknown>,
    files: UploadedFile[],
    via: PostRecord['via'],
    extra: Partial<APIMessage> = {},
  ): APIMessage {
    const channel = this.world.channels.get(channelId);
    const message: APIMessage = {
      id: snowflake(),
      channel_id: channelId,
      author: this.world.bot,
      content: String(body.content ?? ''),
      embeds: (body.embeds ?? []) as APIMessage['embeds'],
      components: (body.components ?? []) as APIMessage['components'],
      attachments: this.attachmentsFrom(body, files),
      timestamp: new Date(this.now()).toISOString(),
      edited_timestamp: null,
      flags: Number(body.flags ?? 0),
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      type: 0,
      ...(channel?.guildId ? { guild_id: channel.guildId } : {}),
      ...(body.poll ? { poll: this.polls.fromBody(body.poll as Parameters<EmulatedPolls['fromBody']>[0]) } : {}),
      ...extra,
    } as APIMessage;
    this.world.messages.get(channelId)?.set(message.id, message);
    this.record('create', via, message, body);
    if (channel && via !== 'interaction') {
      const intent = channel.guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
      this.gateway.dispatch(channel.guildId, 'MESSAGE_CREATE', message, intent);
    }
    return message;
  }

  editMessage(
    channelId: string,
    messageId: string,
    body: Record<string, unknown>,
    files: UploadedFile[],
    via: PostRecord['via'],
  ): APIMessage | undefined {
    const message = this.world.messages.get(channelId)?.get(messageId) ?? this.findMessage(messageId);
    if (!message) return undefined;
    for (const field of ['content', 'embeds', 'components', 'flags'] as const) {
      if (body[field] !== undefined && body[field] !== null) Object.assign(message, { [field]: body[field] });
    }
    if (body.attachments !== undefined || files.length > 0) message.attachments = this.attachmentsFrom(body, files);
    message.edited_timestamp = new Date().toISOString();
    this.record('edit', via, message, body);
    return message;
  }

  deleteMessage(messageId: string): boolean {
    for (const messages of this.world.messages.values()) if (messages.delete(messageId)) return true;
    return false;
  }

  setPinned(channelId: string, messageId: string, pinned: boolean): RestReply {
    const message = this.world.messages.get(channelId)?.get(messageId);
    if (!message) return { status: 404, body: { code: 10008, message: 'Unknown Message' } };
    message.pinned = pinned;
    return { status: 204 };
  }

  dmChannel(userId: string): WorldChannel {
    const existing = [...this.world.channels.values()].find(
      (c) => c.type === ChannelType.DM && c.recipientId === userId,
    );
    return (
      existing ??
      this.world.addChannel({
        id: snowflake(),
        guildId: null,
        type: ChannelType.DM,
        name: '',
        recipientId: userId,
        overwrites: [],
      })
    );
  }

  registerCommands(guildId: string | null, body: unknown): RestReply {
    const list = Array.isArray(body) ? body : [];
    const problems = list.flatMap((command, i) =>
      checkSchema(schemas.commandCreate, command).map((p) => ({ ...p, path: `${i}.${p.path}` })),
    );
    if (problems.length > 0) return { status: 400, problems };
    const registered = list.map((c: Record<string, unknown>) => ({
      ...c,
      id: snowflake(),
      application_id: this.applicationId,
      version: snowflake(),
      type: c.type ?? 1,
    })) as APIApplicationCommand[];
    this.commands.set(guildId ?? 'global', registered);
    return { status: 200, body: registered };
  }

  createScheduledEvent(guildId: string, body: Record<string, unknown>): RestReply {
    const guild = this.world.guilds.get(guildId);
    if (!guild) return { status: 404, body: { code: 10004, message: 'Unknown Guild' } };
    const stage = body.entity_type === 1;
    const problems = checkSchema(stage ? schemas.stageEventCreate : schemas.voiceEventCreate, body);
    if (Date.parse(String(body.scheduled_start_time)) <= this.now())
      problems.push({ path: 'scheduled_start_time', message: 'must be in the future' });
    if (problems.length > 0) return { status: 400, problems };
    const open = [...guild.scheduledEvents.values()].filter(
      (e) => e.status === GuildScheduledEventStatus.Scheduled || e.status === GuildScheduledEventStatus.Active,
    );
    if (open.length >= 100)
      return { status: 400, body: { code: 30038, message: 'Maximum number of guild scheduled events reached' } };
    const event = {
      id: snowflake(),
      guild_id: guildId,
      channel_id: String(body.channel_id),
      creator_id: this.world.bot.id,
      creator: this.world.bot,
      name: String(body.name),
      description: (body.description as string | undefined) ?? null,
      scheduled_start_time: String(body.scheduled_start_time),
      scheduled_end_time: (body.scheduled_end_time as string | undefined) ?? null,
      privacy_level: 2,
      status: GuildScheduledEventStatus.Scheduled,
      entity_type: body.entity_type,
      entity_id: null,
      entity_metadata: null,
      user_count: 0,
      image: null,
      recurrence_rule: null,
    } as APIGuildScheduledEvent;
    guild.scheduledEvents.set(event.id, event);
    this.gateway.dispatch(guildId, 'GUILD_SCHEDULED_EVENT_CREATE', event, GatewayIntentBits.GuildScheduledEvents);
    return { status: 200, body: event };
  }

  patchScheduledEvent(guildId: string, eventId: string, body: Record<string, unknown>): RestReply {
    const event = this.world.guilds.get(guildId)?.scheduledEvents.get(eventId);
    if (!event) return { status: 404, body: { code: 10070, message: 'Unknown Guild Scheduled Event' } };
    const problems = checkSchema(event.entity_type === 1 ? schemas.stageEventPatch : schemas.voiceEventPatch, body);
    if (problems.length > 0) return { status: 400, problems };
    const { Scheduled, Active, Completed, Canceled } = GuildScheduledEventStatus;
    const allowed: Record<number, number[]> = {
      [Scheduled]: [Active, Canceled],
      [Active]: [Completed],
      [Completed]: [],
      [Canceled]: [],
    };
    if (
      typeof body.status === 'number' &&
      body.status !== event.status &&
      !allowed[event.status]!.includes(body.status)
    ) {
      return {
        status: 400,
        body: { code: 180000, message: `Cannot move a scheduled event from status ${event.status} to ${body.status}` },
      };
    }
    Object.assign(event, body);
    this.gateway.dispatch(guildId, 'GUILD_SCHEDULED_EVENT_UPDATE', event, GatewayIntentBits.GuildScheduledEvents);
    return { status: 200, body: event };
  }

  upsertStageInstance(channelId: string, body: Record<string, unknown>, create: boolean): RestReply {
    const channel = this.world.channels.get(channelId);
    const guild = channel?.guildId ? this.world.guilds.get(channel.guildId) : undefined;
    if (!channel || !guild || channel.type !== ChannelType.GuildStageVoice)
      return { status: 404, body: { code: 10003, message: 'Unknown Channel' } };
    const topic = body.topic as string | undefined;
    if (topic !== undefined && (topic.length < 1 || topic.length > 120))
      return { status: 400, problems: [{ path: 'topic', message: 'topic must be 1 to 120 characters' }] };
    const existing = guild.stageInstances.get(channelId);
    if (create && existing) return { status: 400, body: { code: 150006, message: 'Stage already has an instance' } };
    if (!create && !existing) return { status: 404, body: { code: 10067, message: 'Unknown Stage Instance' } };
    const instance = {
      id: existing?.id ?? snowflake(),
      guild_id: guild.id,
      channel_id: channelId,
      topic: topic ?? existing!.topic,
      privacy_level: 2,
      discoverable_disabled: true,
      guild_scheduled_event_id:
        (body.guild_scheduled_event_id as string | undefined) ?? existing?.guild_scheduled_event_id ?? null,
    } as APIStageInstance;
    guild.stageInstances.set(channelId, instance);
    this.gateway.dispatch(
      guild.id,
      create ? 'STAGE_INSTANCE_CREATE' : 'STAGE_INSTANCE_UPDATE',
      instance,
      GatewayIntentBits.Guilds,
    );
    return { status: 200, body: instance };
  }

  updateVoiceState(guildId: string, userId: string, body: Record<string, unknown>): RestReply {
    const guild = this.world.guilds.get(guildId);
    const state = guild?.voiceStates.get(userId);
    if (!guild || !state || (body.channel_id && body.channel_id !== state.channel_id))
      return { status: 404, body: { code: 10065, message: 'Unknown Voice State' } };
    const channel = this.world.channels.get(state.channel_id ?? '');
    if (channel?.type !== ChannelType.GuildStageVoice)
      return { status: 400, body: { code: 50024, message: 'Cannot execute action on this channel type' } };
    if (
      userId !== this.world.bot.id &&
      (this.world.permissions(guild, this.world.bot.id, channel.id) & PermissionFlagsBits.MuteMembers) === 0n
    ) {
      return { status: 403, body: { code: 50013, message: 'Missing Permissions' } };
    }
    if (typeof body.suppress === 'boolean') state.suppress = body.suppress;
    if (body.request_to_speak_timestamp !== undefined)
      state.request_to_speak_timestamp = body.request_to_speak_timestamp as string | null;
    if (body.suppress === false) state.request_to_speak_timestamp = null;
    this.dispatchVoiceState(guild, state);
    return { status: 204 };
  }

  private dispatchVoiceState(guild: WorldGuild, state: GatewayVoiceState): void {
    const member = guild.members.get(state.user_id);
    this.gateway.dispatch(
      guild.id,
      'VOICE_STATE_UPDATE',
      {
        ...state,
        guild_id: guild.id,
        member: member && apiMember(member),
      },
      GatewayIntentBits.GuildVoiceStates,
    );
  }

  private attachmentsFrom(body: Record<string, unknown>, files: UploadedFile[]): APIMessage['attachments'] {
    const described = (body.attachments ?? []) as Array<{ id: string | number; filename?: string }>;
    return files.map((file, index) => {
      const meta =
        described.find((a) => String(a.id) === file.field.replace(/^files\[(\d+)\]$/, '$1')) ?? described[index];
      const id = snowflake();
      const filename = meta?.filename ?? file.filename;
      this.world.attachments.set(id, { id, filename, contentType: file.contentType, data: file.data });
      return {
        id,
        filename,
        size: file.data.length,
        url: `${this.apiUrl}/attachments/${id}/${filename}`,
        proxy_url: '',
        content_type: file.contentType,
      };
    });
  }

  private record(
    action: PostRecord['action'],
    via: PostRecord['via'],
    message: APIMessage,
    body: Record<string, unknown>,
  ): void {
    const pings = computePings(message.content, body.allowed_mentions as Parameters<typeof computePings>[1]);
    this.posts.push({
      action,
      via,
      channelId: message.channel_id,
      messageId: message.id,
      at: this.now(),
      body,
      pings,
      message: structuredClone(message),
    });
  }

  // --- acting as members ------------------------------------------------------

  private channelFor(invoker: Invoker): WorldChannel {
    const { guild, channel } = invoker;
    if (channel) return guild.channels.get(channel) ?? this.world.channelByName(guild, channel.replace(/^#/, ''));
    const text = [...guild.channels.values()].find((c) => c.type === ChannelType.GuildText);
    if (!text) throw new Error(`${guild.name} has no text channel`);
    return text;
  }

  private memberFor(guild: WorldGuild, user: string) {
    return guild.members.get(user) ?? this.world.memberByName(guild, user);
  }

  private baseInteraction(
    invoker: Invoker,
    type: InteractionType,
    data: unknown,
    extra: Record<string, unknown> = {},
  ): InteractionRecord {
    const { guild } = invoker;
    const channel = this.channelFor(invoker);
    if (channel.type === ChannelType.GuildForum)
      throw new Error('Discord runs interactions in a forum’s posts, not in it');
    const member = this.memberFor(guild, invoker.user);
    const payload = {
      id: snowflake(),
      application_id: this.applicationId,
      type,
      data,
      guild_id: guild.id,
      guild: { id: guild.id, locale: 'en-US', features: [] },
      channel: apiChannel(this.world, channel),
      channel_id: channel.id,
      member: interactionMember(this.world, guild, member, channel.id),
      token: `tok_${snowflake()}_${Math.random().toString(36).slice(2)}`,
      version: 1,
      app_permissions: this.world.permissions(guild, this.world.bot.id, channel.id).toString(),
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { 0: guild.id },
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
      ...extra,
    } as unknown as APIInteraction;
    const record = new InteractionRecord(payload, (id) => this.findMessage(id));
    this.interactionsByToken.set(payload.token, record);
    this.gateway.dispatch(guild.id, 'INTERACTION_CREATE', payload);
    return record;
  }

  private registered(guild: WorldGuild, name: string, type: ApplicationCommandType): APIApplicationCommand {
    const command = [...(this.commands.get(guild.id) ?? []), ...(this.commands.get('global') ?? [])].find(
      (c) => c.name === name && c.type === type,
    );
    if (!command) throw new Error(`command ${name} (type ${type}) is not registered`);
    return command;
  }

  /** Builds option values and `resolved` the way Discord does, typing each option from the registered command. */
  private commandData(
    guild: WorldGuild,
    command: APIApplicationCommand,
    subcommand: string | undefined,
    values: Record<string, OptionValue>,
    focused?: string,
  ) {
    const resolved: Record<string, Record<string, unknown>> = {};
    const add = (kind: string, id: string, value: unknown) => ((resolved[kind] ??= {})[id] = value);
    let definitions: APIApplicationCommandOption[] = command.options ?? [];
    if (subcommand) {
      const sub = definitions.find((o) => o.name === subcommand);
      if (!sub || !('options' in sub)) throw new Error(`/${command.name} has no subcommand ${subcommand}`);
      definitions = (sub.options ?? []) as APIApplicationCommandOption[];
    }
    const options = Object.entries(values).map(([name, raw]) => {
      const definition = definitions.find((o) => o.name === name);
      if (!definition) throw new Error(`/${command.name} ${subcommand ?? ''} has no option ${name}`);
      let value: OptionValue = raw;
      if (definition.type === ApplicationCommandOptionType.User) {
        const member = this.memberFor(guild, String(raw).replace(/^@/, ''));
        value = member.user.id;
        add('users', value, member.user);
        add('members', value, {
          roles: member.roles,
          joined_at: member.joinedAt,
          permissions: this.world.permissions(guild, value).toString(),
          flags: 0,
        });
      } else if (definition.type === ApplicationCommandOptionType.Channel) {
        const channel = this.channelFor({ guild, user: '', channel: String(raw) });
        value = channel.id;
        add('channels', value, { id: channel.id, name: channel.name, type: channel.type, permissions: '0', flags: 0 });
      } else if (definition.type === ApplicationCommandOptionType.Role) {
        const role = guild.roles.get(String(raw)) ?? this.world.roleByName(guild, String(raw));
        value = role.id;
        add('roles', value, role);
      }
      return { name, type: definition.type, value, ...(focused === name ? { focused: true } : {}) };
    });
    const top = subcommand ? [{ name: subcommand, type: ApplicationCommandOptionType.Subcommand, options }] : options;
    return {
      id: command.id,
      name: command.name,
      type: command.type,
      guild_id: guild.id,
      options: top,
      ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
    };
  }

  /** Whether an option of a registered command is filled through autocomplete. */
  isAutocompleted(guild: WorldGuild, name: string, subcommand: string | undefined, option: string): boolean {
    let definitions: APIApplicationCommandOption[] =
      this.registered(guild, name, ApplicationCommandType.ChatInput).options ?? [];
    if (subcommand)
      definitions =
        (definitions.find((o) => o.name === subcommand) as { options?: APIApplicationCommandOption[] } | undefined)
          ?.options ?? [];
    return (
      (definitions.find((o) => o.name === option) as { autocomplete?: boolean } | undefined)?.autocomplete === true
    );
  }

  /** Runs `/name [subcommand] options…` as a member. Channel, role and user options may be given by name. */
  command(
    invoker: Invoker,
    name: string,
    subcommand?: string,
    options: Record<string, OptionValue> = {},
  ): InteractionRecord {
    const command = this.registered(invoker.guild, name, ApplicationCommandType.ChatInput);
    return this.baseInteraction(
      invoker,
      InteractionType.ApplicationCommand,
      this.commandData(invoker.guild, command, subcommand, options),
    );
  }

  autocomplete(
    invoker: Invoker,
    name: string,
    subcommand: string | undefined,
    options: Record<string, OptionValue>,
    focused: string,
  ): InteractionRecord {
    const command = this.registered(invoker.guild, name, ApplicationCommandType.ChatInput);
    return this.baseInteraction(
      invoker,
      InteractionType.ApplicationCommandAutocomplete,
      this.commandData(invoker.guild, command, subcommand, options, focused),
    );
  }

  /**
   * Runs a command from a DM with the bot, as a user (Discord does not offer
   * guild-only commands there; a fuzzer sends them anyway).
   */
  dmCommand(
    guild: WorldGuild,
    user: string,
    name: string,
    subcommand?: string,
    options: Record<string, OptionValue> = {},
  ): InteractionRecord {
    const command = this.registered(guild, name, ApplicationCommandType.ChatInput);
    return this.dmInteraction(guild, user, InteractionType.ApplicationCommand, {
      ...this.commandData(guild, command, subcommand, options),
      guild_id: undefined,
    });
  }

  /** Presses a button on a message the bot sent to a member's DMs: the interaction carries no guild. */
  dmButton(guild: WorldGuild, user: string, message: APIMessage, customId: string): InteractionRecord {
    return this.dmInteraction(
      guild,
      user,
      InteractionType.MessageComponent,
      { custom_id: customId, component_type: 2 },
      { message },
    );
  }

  private dmInteraction(
    guild: WorldGuild,
    user: string,
    type: InteractionType,
    data: unknown,
    extra: Record<string, unknown> = {},
  ): InteractionRecord {
    const member = this.memberFor(guild, user);
    const channel = this.dmChannel(member.user.id);
    const payload = {
      id: snowflake(),
      application_id: this.applicationId,
      type,
      data,
      channel: apiChannel(this.world, channel),
      channel_id: channel.id,
      user: member.user,
      token: `tok_${snowflake()}_${Math.random().toString(36).slice(2)}`,
      version: 1,
      app_permissions: '0',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { 1: member.user.id },
      context: 1,
      attachment_size_limit: 10 * 1024 * 1024,
      ...extra,
    } as unknown as APIInteraction;
    const record = new InteractionRecord(payload, (id) => this.findMessage(id));
    this.interactionsByToken.set(payload.token, record);
    this.gateway.dispatch(null, 'INTERACTION_CREATE', payload);
    return record;
  }

  /** Presses the button `customId` on `message`. */
  button(invoker: Invoker, message: APIMessage, customId: string): InteractionRecord {
    return this.baseInteraction(
      { ...invoker, channel: message.channel_id },
      InteractionType.MessageComponent,
      { custom_id: customId, component_type: 2 },
      { message },
    );
  }

  modalSubmit(invoker: Invoker, customId: string, fields: Record<string, string>): InteractionRecord {
    const components = Object.entries(fields).map(([id, value]) => ({
      type: 1,
      components: [{ type: 4, custom_id: id, value }],
    }));
    return this.baseInteraction(invoker, InteractionType.ModalSubmit, { custom_id: customId, components });
  }

  /** Runs a message context-menu command on `target`. */
  messageCommand(invoker: Invoker, name: string, target: APIMessage): InteractionRecord {
    const command = this.registered(invoker.guild, name, ApplicationCommandType.Message);
    const data = {
      id: command.id,
      name,
      type: ApplicationCommandType.Message,
      target_id: target.id,
      resolved: { messages: { [target.id]: target } },
    };
    return this.baseInteraction({ ...invoker, channel: target.channel_id }, InteractionType.ApplicationCommand, data);
  }

  /** A member votes in a message's poll; `answerIds` replaces their earlier choice (empty takes it back). */
  votePoll(guild: WorldGuild, user: string, message: APIMessage, answerIds: number[]): void {
    this.polls.vote(guild, this.memberFor(guild, user).user.id, message, answerIds);
  }

  /** A poll's time runs out on Discord's side (its end, without the bot expiring it). */
  endPoll(message: APIMessage): void {
    this.polls.end(message);
  }

  /** A member writes in a channel (as Discord would store and dispatch it). */
  memberMessage(guild: WorldGuild, user: string, channel: string, content: string): APIMessage {
    const member = this.memberFor(guild, user);
    const target = this.channelFor({ guild, user, channel });
    const message = {
      id: snowflake(),
      channel_id: target.id,
      guild_id: guild.id,
      author: member.user,
      content,
      embeds: [],
      components: [],
      attachments: [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: 0,
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      type: 0,
    } as unknown as APIMessage;
    this.world.messages.get(target.id)!.set(message.id, message);
    this.gateway.dispatch(
      guild.id,
      'MESSAGE_CREATE',
      { ...message, member: { roles: member.roles, joined_at: member.joinedAt } },
      GatewayIntentBits.GuildMessages,
    );
    return message;
  }

  /** A server admin changes a channel's permission overwrites in Discord. */
  setOverwrites(channelId: string, overwrites: WorldChannel['overwrites']): void {
    const channel = this.world.channels.get(channelId);
    if (!channel) throw new Error(`no channel ${channelId}`);
    channel.overwrites = overwrites;
    this.gateway.dispatch(channel.guildId, 'CHANNEL_UPDATE', apiChannel(this.world, channel), GatewayIntentBits.Guilds);
  }

  /** A moderator deletes a thread: it and its messages are gone, and the gateway says so. */
  deleteThread(threadId: string): void {
    const thread = this.world.channels.get(threadId);
    if (!thread?.guildId || thread.type !== ChannelType.PublicThread) throw new Error(`no thread ${threadId}`);
    this.world.channels.delete(threadId);
    this.world.messages.delete(threadId);
    this.world.guilds.get(thread.guildId)?.channels.delete(threadId);
    this.gateway.dispatch(
      thread.guildId,
      'THREAD_DELETE',
      { id: threadId, guild_id: thread.guildId, parent_id: thread.parentId, type: thread.type },
      GatewayIntentBits.Guilds,
    );
  }

  /** Where the bot's voice connections go; without one, the bot's joins get no voice server. */
  attachVoice(server: VoiceServer): void {
    this.voice = server;
  }

  /** The bot joins or leaves a voice channel: its voice state, then (joining) the voice server to connect to. */
  private botVoiceState(d: {
    guild_id: string;
    channel_id: string | null;
    self_mute: boolean;
    self_deaf: boolean;
  }): void {
    const guild = this.world.guilds.get(d.guild_id);
    if (!guild) return;
    const bot = this.world.bot.id;
    this.botVoiceRequests.push({
      guildId: d.guild_id,
      channelId: d.channel_id,
      selfMute: d.self_mute,
      selfDeaf: d.self_deaf,
      at: Date.now(),
    });
    const previous = guild.voiceStates.get(bot);
    if (!d.channel_id) {
      if (!previous) return;
      guild.voiceStates.delete(bot);
      this.dispatchVoiceState(guild, { ...previous, channel_id: null });
      return;
    }
    const channel = this.world.channels.get(d.channel_id);
    // Discord ignores a join the bot may not make.
    if (!channel || (this.world.permissions(guild, bot, channel.id) & PermissionFlagsBits.Connect) === 0n) return;
    const state = {
      channel_id: channel.id,
      user_id: bot,
      session_id: previous?.session_id ?? snowflake(),
      deaf: false,
      mute: false,
      self_deaf: d.self_deaf,
      self_mute: d.self_mute,
      self_video: false,
      suppress: channel.type === ChannelType.GuildStageVoice,
      request_to_speak_timestamp: null,
    } as GatewayVoiceState;
    guild.voiceStates.set(bot, state);
    this.dispatchVoiceState(guild, state);
    if (this.voice)
      this.gateway.dispatch(guild.id, 'VOICE_SERVER_UPDATE', {
        token: this.voice.token(guild.id),
        guild_id: guild.id,
        endpoint: this.voice.endpoint(),
      });
  }

  joinVoice(guild: WorldGuild, user: string, channel: string): GatewayVoiceState {
    const member = this.memberFor(guild, user);
    const target = this.channelFor({ guild, user, channel });
    const state = {
      channel_id: target.id,
      user_id: member.user.id,
      session_id: snowflake(),
      deaf: false,
      mute: false,
      self_deaf: false,
      self_mute: false,
      self_video: false,
      suppress: target.type === ChannelType.GuildStageVoice,
      request_to_speak_timestamp: null,
    } as GatewayVoiceState;
    guild.voiceStates.set(member.user.id, state);
    this.dispatchVoiceState(guild, state);
    return state;
  }

  leaveVoice(guild: WorldGuild, user: string): void {
    const member = this.memberFor(guild, user);
    const state = guild.voiceStates.get(member.user.id);
    if (!state) return;
    guild.voiceStates.delete(member.user.id);
    this.dispatchVoiceState(guild, { ...state, channel_id: null });
  }

  /** Discord's own "Request to Speak" button on a Stage. */
  raiseHand(guild: WorldGuild, user: string): void {
    const state = guild.voiceStates.get(this.memberFor(guild, user).user.id);
    if (!state) throw new Error(`${user} is not in a voice channel`);
    state.request_to_speak_timestamp = new Date().toISOString();
    this.dispatchVoiceState(guild, state);
  }

  /** Current messages of a channel, oldest first. */
  messagesIn(channelId: string): APIMessage[] {
    return [...(this.world.messages.get(channelId)?.values() ?? [])];
  }

  attachmentText(attachmentId: string): string {
    const attachment = this.world.attachments.get(attachmentId);
    if (!attachment) throw new Error(`no attachment ${attachmentId}`);
    return attachment.data.toString('utf8');
  }
}
