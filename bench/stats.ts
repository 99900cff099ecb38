import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Figure {
  value: number;
  unit: 'ms' | 'ratio' | 'count' | 'MB' | 'per_s';
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Merges this run's figures into bench/results.json, keeping figures other benchmarks wrote. */
export function writeResults(path: string, figures: Record<string, Figure>): void {
  const previous = existsSync(path)
    ? ((JSON.parse(readFileSync(path, 'utf8')) as { figures?: Record<string, Figure> }).figures ?? {})
    : {};
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
  const rounded = Object.fromEntries(Object.entries(figures).map(([k, f]) => [k, { ...f, value: round(f.value) }]));
  writeFileSync(
    path,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, figures: { ...previous, ...rounded } }, null, 2)}\n`,
  );
}
