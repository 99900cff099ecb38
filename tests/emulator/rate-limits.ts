import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/**
 * Discord's rate limits as the emulator applies them: one table, each value
 * marked as Discord's published rule, a value bots observe, or the emulator's
 * own assumption where Discord publishes nothing. Tests override entries per
 * emulator (`new Emulator({ rateLimits: { messageCreate: { limit: 1 } } })`).
 *
 * Routes are written as Discord computes buckets: the method, then the path
 * with its top-level resource ("major parameter") named, `{channel_id}`,
 * `{guild_id}`, `{webhook_id}/{token}`, `{interaction_id}/{token}`, and every
 * other id as `{id}` (reaction emoji as `{emoji}`).
 */

/** `user`: this bot's own limit. `shared`: the resource's limit across all users (not an invalid request). */
export type RateLimitScope = 'user' | 'shared';

export interface BucketRule {
  /** `METHOD /template` of each route counted in this bucket; routes listed together share one counter. */
  routes: readonly string[];
  limit: number;
  windowMs: number;
  scope: RateLimitScope;
  /** Not counted against the bot's global limit (Discord: interaction endpoints). */
  exemptFromGlobal?: boolean;
  /**
   * A hidden sublimit: only requests whose body matches count, on top of the route's own bucket, and the
   * headers keep showing that bucket (discord.js learns of it only from the 429, as with Discord's).
   */
  onlyIf?: (body: Record<string, unknown>) => boolean;
  source: string;
}

export interface RateLimitTable {
  global: { limit: number; windowMs: number; source: string };
  invalidRequests: { limit: number; windowMs: number; statuses: readonly number[]; source: string };
  /** Any route no rule names: its own bucket per route and top-level resource. */
  fallback: Omit<BucketRule, 'routes' | 'onlyIf'>;
  messageCreate: BucketRule;
  messageEdit: BucketRule;
  channelEdit: BucketRule;
  channelNameOrTopic: BucketRule;
  reactions: BucketRule;
  interactionCallback: BucketRule;
  interactionFollowUp: BucketRule;
  interactionMessage: BucketRule;
  scheduledEventWrite: BucketRule;
  stageInstanceCreate: BucketRule;
  stageInstanceEdit: BucketRule;
  stageTopic: BucketRule;
}

export type RateLimitOverrides = { [K in keyof RateLimitTable]?: Partial<RateLimitTable[K]> };

const hasNameOrTopic = (body: Record<string, unknown>) => 'name' in body || 'topic' in body;

export const DISCORD_RATE_LIMITS: RateLimitTable = {
  global: {
    limit: 50,
    windowMs: 1_000,
    source: 'published: 50 requests per second per bot (docs, Rate Limits: Global Rate Limit)',
  },
  invalidRequests: {
    limit: 10_000,
    windowMs: 10 * 60_000,
    statuses: [401, 403, 429],
    source:
      'published: 10,000 responses of 401, 403 or 429 in 10 minutes get the IP banned (Cloudflare); ' +
      'shared-scope 429s do not count (docs, Rate Limits: Invalid Request Limit). 404s do not count.',
  },
  fallback: {
    limit: 50,
    windowMs: 1_000,
    scope: 'user',
    source:
      'assumption: Discord publishes no per-route figures; routes without a rule here are bound only by ' +
      'the global limit, so only known limits shape the design',
  },
  messageCreate: {
    routes: ['POST /channels/{channel_id}/messages'],
    limit: 5,
    windowMs: 5_000,
    scope: 'user',
    source: 'observed: 5 per 5 s per channel (X-RateLimit-Limit 5, Reset-After 5); undocumented',
  },
  messageEdit: {
    routes: ['PATCH /channels/{channel_id}/messages/{id}'],
    limit: 5,
    windowMs: 5_000,
    scope: 'user',
    source: 'observed: 5 per 5 s per channel, a bucket of its own (not shared with create); undocumented',
  },
  channelEdit: {
    routes: ['PATCH /channels/{channel_id}'],
    limit: 5,
    windowMs: 5_000,
    scope: 'user',
    source: 'assumption: the visible bucket of Modify Channel; the name/topic sublimit below is what binds',
  },
  channelNameOrTopic: {
    routes: ['PATCH /channels/{channel_id}'],
    onlyIf: hasNameOrTopic,
    limit: 2,
    windowMs: 10 * 60_000,
    scope: 'user',
    source:
      'observed: 2 name or topic edits per 10 minutes per channel or thread, a hidden sublimit ' +
      '(discord.js hard-codes it in hasSublimit); the 429 asks for up to 10 minutes',
  },
  reactions: {
    routes: [
      'PUT /channels/{channel_id}/messages/{id}/reactions/{emoji}/@me',
      'DELETE /channels/{channel_id}/messages/{id}/reactions/{emoji}/@me',
      'DELETE /channels/{channel_id}/messages/{id}/reactions/{emoji}/{id}',
    ],
    limit: 1,
    windowMs: 250,
    scope: 'user',
    source: 'observed: 1 per 0.25 s per channel; undocumented',
  },
  interactionCallback: {
    routes: ['POST /interactions/{interaction_id}/{token}/callback'],
    limit: 5,
    windowMs: 1_000,
    scope: 'user',
    exemptFromGlobal: true,
    source:
      'published: interaction endpoints are not bound by the global limit; the per-interaction figure is an ' +
      'assumption (an interaction takes one callback, a second is refused with 40060, not 429)',
  },
  interactionFollowUp: {
    routes: ['POST /webhooks/{webhook_id}/{token}'],
    limit: 5,
    windowMs: 2_000,
    scope: 'user',
    exemptFromGlobal: true,
    source:
      'observed: webhook execution 5 per 2 s per webhook id + token (here the interaction token); ' +
      'published: interaction endpoints are not bound by the global limit',
  },
  interactionMessage: {
    routes: [
      'PATCH /webhooks/{webhook_id}/{token}/messages/@original',
      'PATCH /webhooks/{webhook_id}/{token}/messages/{id}',
      'DELETE /webhooks/{webhook_id}/{token}/messages/@original',
      'DELETE /webhooks/{webhook_id}/{token}/messages/{id}',
    ],
    limit: 5,
    windowMs: 2_000,
    scope: 'user',
    exemptFromGlobal: true,
    source: 'observed: as webhook execution, 5 per 2 s per webhook id + token; not bound by the global limit',
  },
  scheduledEventWrite: {
    routes: [
      'POST /guilds/{guild_id}/scheduled-events',
      'PATCH /guilds/{guild_id}/scheduled-events/{id}',
      'DELETE /guilds/{guild_id}/scheduled-events/{id}',
    ],
    limit: 5,
    windowMs: 5_000,
    scope: 'user',
    source: 'assumption: per guild (guild_id is the major parameter), 5 per 5 s; Discord publishes no figure',
  },
  stageInstanceCreate: {
    routes: ['POST /stage-instances'],
    limit: 5,
    windowMs: 5_000,
    scope: 'user',
    source:
      'assumption: 5 per 5 s; the path has no top-level resource (the channel is in the body), so as Discord ' +
      'computes buckets it is one bucket for the bot across guilds',
  },
  stageInstanceEdit: {
    routes: ['PATCH /stage-instances/{channel_id}', 'DELETE /stage-instances/{channel_id}'],
    limit: 5,
    windowMs: 5_000,
    scope: 'user',
    source: 'assumption: 5 per 5 s per Stage channel (channel_id in the path is the top-level resource)',
  },
  stageTopic: {
    routes: ['PATCH /stage-instances/{channel_id}'],
    onlyIf: (body) => 'topic' in body,
    limit: 2,
    windowMs: 10 * 60_000,
    scope: 'user',
    source:
      'assumption (strict side): a Stage topic edit is held to the channel topic rule, 2 per 10 minutes, as issue 18 ' +
      'reads it; Discord documents no figure, and a design within the stricter rule also fits a looser one',
  },
};

/** The table with `overrides` merged rule by rule. */
export function rateLimitTable(overrides: RateLimitOverrides = {}): RateLimitTable {
  const table = { ...DISCORD_RATE_LIMITS } as Record<string, unknown>;
  for (const [name, override] of Object.entries(overrides)) {
    if (!(name in table)) throw new Error(`no rate limit named ${name}`);
    table[name] = { ...(table[name] as object), ...override };
  }
  return table as unknown as RateLimitTable;
}

/** Where a request's limits are counted: its route as Discord templates it, and its top-level resource. */
export function routeOf(method: string, path: string): { route: string; major: string } {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  let major = 'global';
  const id = /^\d{17,20}$/;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const parent = parts[i - 1];
    if (i === 1 && id.test(part) && (parent === 'channels' || parent === 'guilds' || parent === 'stage-instances')) {
      out.push(parent === 'guilds' ? '{guild_id}' : '{channel_id}');
      major = part;
    } else if (i === 1 && (parent === 'webhooks' || parent === 'interactions') && id.test(part)) {
      const kind = parent === 'webhooks' ? '{webhook_id}' : '{interaction_id}';
      const token = parts[i + 1];
      out.push(token === undefined ? kind : `${kind}/{token}`);
      major = token === undefined ? part : `${part}/${token}`;
      if (token !== undefined) i++;
    } else if (parent === 'reactions') out.push('{emoji}');
    else out.push(id.test(part) ? '{id}' : part);
  }
  return { route: `${method} /${out.join('/')}`, major };
}

/** Discord's X-RateLimit-Bucket: an opaque hash per bucket, the same for every top-level resource. */
const bucketHash = (bucketId: string) => createHash('md5').update(bucketId).digest('hex');

interface Window {
  count: number;
  resetAt: number;
}

/** What a request is counted in, and the state the headers report. */
export interface BucketState {
  rule: string;
  route: string;
  major: string;
  bucket: string;
  limit: number;
  remaining: number;
  resetAfterMs: number;
  scope: RateLimitScope;
}

export interface Refusal {
  kind: 'global' | 'bucket' | 'sublimit' | 'ban';
  /** What X-RateLimit-Scope says. */
  scope: 'user' | 'global' | 'shared';
  retryAfterMs: number;
  rule: string;
}

export interface Admission {
  /** The route's own bucket, for the headers. */
  state: BucketState;
  refusal?: Refusal;
}

/**
 * Discord's clock for the buckets: real elapsed time, plus every jump a test makes
 * to the emulator's `now` (a test that moves Discord ten minutes on sees the
 * ten-minute buckets refill). A frozen or backward `now` leaves real time, so a
 * stopped test clock never stops buckets from refilling while discord.js waits in
 * real time.
 */
export class LimiterClock {
  private readonly startNow: number;
  private readonly startReal: number;
  private ahead = 0;

  constructor(
    private readonly discordNow: () => number,
    private readonly real: () => number = () => performance.now(),
  ) {
    this.startNow = discordNow();
    this.startReal = real();
  }

  read(): number {
    const real = this.real();
    this.ahead = Math.max(this.ahead, this.discordNow() - this.startNow - (real - this.startReal));
    return real + this.ahead;
  }
}

/** Counts one request; a window opens at its first counted request, not at a refused one. */
function take(window: Window, windowMs: number, now: number): void {
  if (window.count === 0) window.resetAt = now + windowMs;
  window.count++;
}

/** Fixed windows: a bucket opens at its first request and refills whole when its window ends. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private invalid: Window = { count: 0, resetAt: -Infinity };
  private bannedUntil = -Infinity;
  private readonly rules: Array<[string, BucketRule]>;

  constructor(
    readonly table: RateLimitTable,
    readonly clock: LimiterClock,
  ) {
    this.rules = Object.entries(table).filter(([, rule]) => Array.isArray((rule as BucketRule).routes)) as Array<
      [string, BucketRule]
    >;
  }

  /** Counts the request against every limit it falls under, or says which one refuses it (counting nothing). */
  /** `now`: when the request reached Discord, read before its body (which a busy emulator may read later). */
  admit(
    method: string,
    path: string,
    body: Record<string, unknown>,
    identity: string,
    now = this.clock.read(),
  ): Admission {
    const { route, major } = routeOf(method, path);
    const matching = this.rules.filter(([, rule]) => rule.routes.includes(route));
    const [ownName, ownRule] = matching.find(([, rule]) => !rule.onlyIf) ?? [route, this.table.fallback];
    const sublimits = matching.filter(([, rule]) => rule.onlyIf?.(body));
    const exempt = ownRule.exemptFromGlobal === true;
    const own = this.window(`${ownName}:${major}`, ownRule.windowMs, now);
    const state = (): BucketState => ({
      rule: ownName,
      route,
      major,
      bucket: bucketHash(ownName),
      limit: ownRule.limit,
      remaining: Math.max(0, ownRule.limit - own.count),
      resetAfterMs: own.resetAt - now,
      scope: ownRule.scope,
    });
    if (now < this.bannedUntil)
      return {
        state: state(),
        refusal: { kind: 'ban', scope: 'global', retryAfterMs: this.bannedUntil - now, rule: 'invalidRequests' },
      };
    const global = exempt ? undefined : this.window(`global:${identity}`, this.table.global.windowMs, now);
    if (global && global.count >= this.table.global.limit)
      return {
        state: state(),
        refusal: { kind: 'global', scope: 'global', retryAfterMs: global.resetAt - now, rule: 'global' },
      };
    for (const [name, rule] of sublimits) {
      const sub = this.window(`${name}:${major}`, rule.windowMs, now);
      if (sub.count >= rule.limit)
        return {
          state: state(),
          refusal: { kind: 'sublimit', scope: rule.scope, retryAfterMs: sub.resetAt - now, rule: name },
        };
    }
    if (own.count >= ownRule.limit)
      return {
        state: state(),
        refusal: { kind: 'bucket', scope: ownRule.scope, retryAfterMs: own.resetAt - now, rule: ownName },
      };
    if (global) take(global, this.table.global.windowMs, now);
    for (const [name, rule] of sublimits) take(this.window(`${name}:${major}`, rule.windowMs, now), rule.windowMs, now);
    take(own, ownRule.windowMs, now);
    return { state: state() };
  }

  /** Counts an answer towards the invalid-request limit; at the limit, everything is refused until the window ends. */
  settle(status: number, scope?: string): void {
    const rule = this.table.invalidRequests;
    if (!rule.statuses.includes(status) || (status === 429 && scope === 'shared')) return;
    const now = this.clock.read();
    if (now >= this.invalid.resetAt) this.invalid = { count: 0, resetAt: now + rule.windowMs };
    if (++this.invalid.count >= rule.limit) this.bannedUntil = this.invalid.resetAt;
  }

  /** Invalid answers counted in the current window. */
  get invalidCount(): number {
    return this.clock.read() < this.invalid.resetAt ? this.invalid.count : 0;
  }

  private window(key: string, windowMs: number, now: number): Window {
    let window = this.windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    return window;
  }
}
