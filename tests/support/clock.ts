/** A clock a test moves by hand: the bot reads it through startLectern's `clock`. */
export class TestClock {
  constructor(private time = Date.parse('2024-08-14T19:00:00Z')) {}

  readonly now = (): number => this.time;

  set(iso: string): void {
    this.time = Date.parse(iso);
  }
}

/** A clock that runs at real speed from a chosen moment, and can jump ahead (the bot down for twenty minutes, in no time). */
export class RunningClock {
  private offset: number;

  constructor(startIso: string) {
    this.offset = Date.parse(startIso) - Date.now();
  }

  readonly now = (): number => Date.now() + this.offset;

  jump(ms: number): void {
    this.offset += ms;
  }

  /** Jumps so that it reads `iso` now. */
  jumpTo(iso: string): void {
    this.offset = Date.parse(iso) - Date.now();
  }
}
