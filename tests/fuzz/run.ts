import { runFuzz } from './fuzz.js';

/** `npm run fuzz [-- --seed=N --count=N]`: a fuzz run against the real bot; exits 1 on any finding. */
const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const seed = arg('seed', Date.now() % 1_000_000);
const count = arg('count', 2_000);
console.log(`fuzz: seed ${seed}, ${count} interactions`);
const report = await runFuzz({
  seed,
  count,
  ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  log: (line) => console.log(line),
});
console.log(
  JSON.stringify(
    {
      ...report,
      late: report.late.slice(0, 10),
      unexpected: report.unexpected.slice(0, 10),
      changedOnRefusal: report.changedOnRefusal.slice(0, 10),
    },
    null,
    2,
  ),
);
const findings =
  (report.detectorWorks ? 0 : 1) +
  report.late.length +
  report.unexpected.length +
  report.changedOnRefusal.length +
  report.mentionLeaks +
  report.violations +
  (report.crashed ? 1 : 0);
console.log(
  findings === 0
    ? `no findings (replay with --seed=${seed})`
    : `${findings} findings (replay with --seed=${seed} --count=${count})`,
);
process.exit(findings === 0 ? 0 : 1);
