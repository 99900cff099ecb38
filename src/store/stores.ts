import type { ArchiveStore } from './archive-store.js';
import type { PaperStore } from './paper-store.js';
import type { QuestionStore } from './question-store.js';
import type { RedisClient } from './redis.js';
import type { ScheduleStore } from './schedule-store.js';
import type { SessionStore } from './session-store.js';
import type { SettingsStore } from './settings-store.js';
import type { SpeakerStore } from './speaker-store.js';
import type { TranscriptStore } from './transcript-store.js';

export interface Stores {
  redis: RedisClient;
  sessions: SessionStore;
  speakers: SpeakerStore;
  questions: QuestionStore;
  papers: PaperStore;
  settings: SettingsStore;
  schedules: ScheduleStore;
  archive: ArchiveStore;
  transcripts: TranscriptStore;
}
