import type { Redis } from 'ioredis';
import type { JobQueue } from './jobs/job-queue.js';
import type { Logger } from './logger.js';
import type { PaperService } from './papers/paper-service.js';
import type { LiveService } from './sessions/live-service.js';
import type { PaperStore } from './store/paper-store.js';
import type { ScheduleService } from './schedule/schedule-service.js';
import type { RateLimitStore } from './store/rate-limit-store.js';
import type { SessionStore } from './store/session-store.js';
import type { SettingsStore } from './store/settings-store.js';
import type { VoicePresenceStore } from './store/voice-presence-store.js';
import type { VoiceService } from './voice/voice-service.js';

/** What handlers and jobs may use; built once in app.ts. */
export interface Services {
  redis: Redis;
  logger: Logger;
  settings: SettingsStore;
  rateLimits: RateLimitStore;
  papers: PaperStore;
  sessions: SessionStore;
  /** Who is in which voice channel, mirrored by the gateway that owns the guild. */
  presence: VoicePresenceStore;
  live: LiveService;
  paperService: PaperService;
  jobs: JobQueue;
  schedule: ScheduleService;
  /** The bot in the session channel (gateway processes only). */
  voice?: VoiceService;
  /** "Now", in ms; tests and the demo replace it to compress time. */
  now(): number;
}
