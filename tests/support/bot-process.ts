import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The bot as users run it: `src/main.ts` in its own process, configured only through its environment. */
export class BotProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `entry` ending in `.js` runs as built (`npm run build`), with plain node, as in production. */
  constructor(env: Record<string, string>, entry = 'src/main.ts', nodeArgs: string[] = []) {
    const inherited = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const args = [...nodeArgs, ...(entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry])];
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    // A test or benchmark that dies leaves no bot running behind it.
    const orphanGuard = () => this.child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    void this.exited.then(() => process.off('exit', orphanGuard));
  }

  /** Waits for a log line (JSON from pino) whose msg matches. */
  async waitForLog(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.split('\n').some((line) => pattern.test(line))) {
      if (this.child.exitCode !== null)
        throw new Error(
          `bot exited (${this.child.exitCode}) before logging ${pattern}:\n${this.stdout}\n${this.stderr}`,
        );
      if (Date.now() > deadline)
        throw new Error(`bot did not log ${pattern} in ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exited;
  }
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
