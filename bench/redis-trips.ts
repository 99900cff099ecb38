import { Redis } from 'ioredis';

/** Commands closer together than this came in one read (a pipeline); further apart, the bot waited for a reply. */
const SAME_TRIP_S = 0.000_15;

/**
 * Counts what the gateway process asks Redis for, from Redis's own MONITOR
 * stream: top-level commands on the gateway's named connections (commands a
 * Lua script runs are not counted: they are part of its one call), and round
 * trips, taken as bursts of commands that reach Redis within 150 µs of each
 * other (a pipeline arrives in one read; a new round trip waits for the
 * bot's next step). Reads made in sequence are separate trips as long as a
 * reply and the next command take more than 150 µs together: `nearThreshold`
 * counts the gaps that came close (75–300 µs), so a run can tell when the
 * split is no longer clear.
 */
export class RedisTrips {
  private monitor: Awaited<ReturnType<Redis['monitor']>> | undefined;
  private base: Redis | undefined;
  private readonly times: number[] = [];
  /** Times of the commands on the connections `start` named as BullMQ's (job enqueues). */
  private readonly jobTimes: number[] = [];
  private counting = false;

  constructor(private readonly redisUrl: string) {}

  /**
   * Watches every connection whose CLIENT SETNAME matches (the gateway's own and its jobs connection);
   * those matching `jobsName` too are counted apart as well.
   */
  async start(connectionName: RegExp, jobsName: RegExp): Promise<void> {
    const admin = new Redis(this.redisUrl);
    const list = (await admin.client('LIST')) as string;
    admin.disconnect();
    const watched = list
      .split('\n')
      .map((line) => Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string])))
      .filter((c) => connectionName.test(c.name ?? ''));
    const addrs = new Set(watched.map((c) => c.addr));
    const jobAddrs = new Set(watched.filter((c) => jobsName.test(c.name ?? '')).map((c) => c.addr));
    if (addrs.size === 0) throw new Error(`no Redis connection named like ${connectionName}`);
    this.base = new Redis(this.redisUrl);
    this.monitor = await this.base.monitor();
    this.monitor.on('monitor', (time: string, _args: string[], source: string) => {
      if (!this.counting || !addrs.has(source)) return;
      this.times.push(Number(time));
      if (jobAddrs.has(source)) this.jobTimes.push(Number(time));
    });
  }

  /**
   * Runs `work` and returns its commands and round trips (`jobTrips`: those on the jobs connection), and how
   * many gaps between commands there were, `near` the threshold.
   */
  async measure(
    work: () => Promise<void>,
  ): Promise<{ commands: number; trips: number; jobTrips: number; gaps: number; near: number }> {
    this.times.length = 0;
    this.jobTimes.length = 0;
    this.counting = true;
    await work();
    await new Promise((resolve) => setTimeout(resolve, 200));
    this.counting = false;
    const gaps = gapsOf(this.times);
    return {
      commands: this.times.length,
      trips: this.times.length === 0 ? 0 : 1 + gaps.filter((g) => g > SAME_TRIP_S).length,
      jobTrips: this.jobTimes.length === 0 ? 0 : 1 + gapsOf(this.jobTimes).filter((g) => g > SAME_TRIP_S).length,
      gaps: gaps.length,
      near: gaps.filter((g) => g >= SAME_TRIP_S / 2 && g <= SAME_TRIP_S * 2).length,
    };
  }

  stop(): void {
    this.monitor?.disconnect();
    this.base?.disconnect();
  }
}

function gapsOf(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((t, i) => t - sorted[i]!);
}
