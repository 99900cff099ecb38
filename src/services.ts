import type { ArchiveService } from './archive/archive-service.js';
import type { Logger } from './logger.js';
import type { PaperService } from './papers/paper-service.js';
import type { PollService } from './papers/poll-service.js';
import type { PrivacyService } from './privacy/privacy-service.js';
import type { ScheduleService } from './schedule/schedule-service.js';
import type { LiveService } from './sessions/live-service.js';
import type { QuestionService } from './sessions/question-service.js';
import type { RecapService } from './sessions/recap-service.js';
import type { SpeakerService } from './sessions/speaker-service.js';
import type { SettingsService } from './settings/settings-service.js';
import type { TranscriptService } from './transcript/transcript-service.js';
import type { VoiceService } from './voice/voice-service.js';

/** Counted across all bot processes. */
interface RateLimiter {
  take(
    guildId: string,
    userId: string,
    bucket: string,
    limit: { limit: number; windowSeconds: number },
  ): Promise<{ allowed: boolean; retryAfterMs: number }>;
}

/** What commands and the router use; stores stay behind these. */
export interface Services {
  logger: Logger;
  settings: SettingsService;
  rateLimits: RateLimiter;
  live: LiveService;
  speakers: SpeakerService;
  questions: QuestionService;
  papers: PaperService;
  polls: PollService;
  recaps: RecapService;
  archive: ArchiveService;
  schedule: ScheduleService;
  privacy: PrivacyService;
  transcripts: TranscriptService;
  /** Gateway processes only. */
  voice?: VoiceService;
  now(): number;
}
