/** Closer stretches of one member's speech merge. */
const MERGE_GAP_MS = 2_000;
/** Shorter segments (a cough, a click) are dropped. */
const MIN_SEGMENT_MS = 300;

export interface Segment {
  userId: string;
  from: number;
  to: number;
}

export interface Gap {
  from: number;
  to: number;
}

interface Heard {
  segments: Segment[];
  gaps: Gap[];
}

interface Member {
  /** Speaking since. */
  open?: number;
  /** Held back until nothing can follow within MERGE_GAP_MS. */
  pending?: { from: number; to: number };
}

/** Memory stays bounded: `take()` hands out finished segments and forgets them. */
export class SpeakingTracker {
  private readonly members = new Map<string, Member>();
  private ready: Segment[] = [];
  private gaps: Gap[] = [];
  private lostAt: number | undefined;
  private finished = false;

  start(userId: string, at: number) {
    if (this.finished || this.lostAt !== undefined) return;
    const member = this.members.get(userId) ?? {};
    if (member.open !== undefined) return;
    if (member.pending && at - member.pending.to < MERGE_GAP_MS) {
      member.open = member.pending.from;
      delete member.pending;
    } else {
      this.settle(userId, member);
      member.open = at;
    }
    this.members.set(userId, member);
  }

  end(userId: string, at: number) {
    if (this.finished) return;
    const member = this.members.get(userId);
    if (member?.open === undefined) return;
    member.pending = { from: member.open, to: Math.max(at, member.open) };
    delete member.open;
  }

  connectionLost(at: number) {
    if (this.finished || this.lostAt !== undefined) return;
    for (const userId of this.members.keys()) this.end(userId, at);
    this.lostAt = at;
  }

  connectionRestored(at: number) {
    if (this.finished || this.lostAt === undefined) return;
    this.gaps.push({ from: this.lostAt, to: at });
    this.lostAt = undefined;
  }

  tick(now: number) {
    for (const [userId, member] of this.members) {
      if (member.pending && now - member.pending.to >= MERGE_GAP_MS) this.settle(userId, member);
      if (member.open === undefined && !member.pending) this.members.delete(userId);
    }
  }

  /** Later events are ignored. */
  finish(at: number) {
    if (this.finished) return;
    for (const userId of this.members.keys()) this.end(userId, at);
    if (this.lostAt !== undefined) this.connectionRestored(at);
    for (const [userId, member] of this.members) this.settle(userId, member);
    this.members.clear();
    this.finished = true;
  }

  /** Since the last call, oldest first. */
  take(): Heard {
    const out = { segments: this.ready.sort((a, b) => a.from - b.from), gaps: this.gaps };
    this.ready = [];
    this.gaps = [];
    return out;
  }

  /** Undoes a `take()` whose segments could not be stored. */
  giveBack({ segments, gaps }: Heard) {
    this.ready.push(...segments);
    this.gaps.unshift(...gaps);
  }

  private settle(userId: string, member: Member) {
    const last = member.pending;
    delete member.pending;
    if (last && last.to - last.from >= MIN_SEGMENT_MS) this.ready.push({ userId, ...last });
  }
}

/** Most first. */
export function talkTimes(segments: Iterable<Segment>) {
  const totals = new Map<string, number>();
  for (const s of segments) totals.set(s.userId, (totals.get(s.userId) ?? 0) + (s.to - s.from));
  return [...totals].map(([userId, totalMs]) => ({ userId, totalMs })).sort((a, b) => b.totalMs - a.totalMs);
}
