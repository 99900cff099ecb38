/** A clock a test moves by hand: the bot reads it through startLectern's `clock`. */
export class TestClock {
  constructor(private time = Date.parse('2024-08-14T19:00:00Z')) {}

  readonly now = (): number => this.time;

  set(iso: string): void {
    this.time = Date.parse(iso);
  }
}
