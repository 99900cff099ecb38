import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** A bound a figure must keep, as the issue states it (`value < 200`, `ratio <= 1.3`). */
export interface Target {
  op: '<' | '<=';
  value: number;
}

export interface Figure {
  value: number;
  unit: 'ms' | 'ratio' | 'count' | 'MB' | 'per_s' | 'share';
  target?: Target;
  /** What was measured, where the name alone does not say. */
  note?: string;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function meets(figure: Figure): boolean | undefined {
  const { target, value } = figure;
  if (!target) return undefined;
  return target.op === '<' ? value < target.value : value <= target.value;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Writes this run's figures to bench/results.json, replacing the last run's (so a case that was renamed or
 * dropped leaves no stale figure behind); each figure with a target says whether it `met` it.
 */
export function writeResults(path: string, figures: Record<string, Figure>, run: Record<string, unknown>): void {
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
  const written = Object.fromEntries(
    Object.entries(figures).map(([k, f]) => [
      k,
      { ...f, value: round(f.value), ...(f.target ? { met: meets(f) } : {}) },
    ]),
  );
  writeFileSync(
    path,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, run, figures: written }, null, 2)}\n`,
  );
}

/** A Markdown table, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
