/** What raising a hand did. */
export type SpeakerOutcome = 'raised' | 'already' | 'on-stage' | 'not-live';

/** The first raised hands (first in line first, with their topics) and speakers (id order), and how many of each. */
export interface Speakers {
  queue: Array<{ userId: string; topic?: string }>;
  handsUp: number;
  onStage: string[];
  speaking: number;
}
