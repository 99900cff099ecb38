/** The first few raised hands (in line order) and speakers (id order), and how many of each. */
export interface Speakers {
  queue: Array<{ userId: string; topic?: string }>;
  handsUp: number;
  onStage: string[];
  speaking: number;
}
