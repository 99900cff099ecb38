import { parseArgs } from 'node:util';
import { ArchiveService } from './archive/archive-service.js';
import { exportSite } from './archive/export-site.js';
import { ConfigError, loadRedisConfig } from './config.js';
import { ArchiveStore } from './store/archive-store.js';
import { connectRedis } from './store/redis.js';
import { SessionStore } from './store/session-store.js';
import { SettingsStore } from './store/settings-store.js';

const USAGE = 'usage: npm run export-site -- --guild <server id> --out <folder>';

// Writes one server's web archive as static files: `npm run export-site -- --guild <id> --out <dir>`.
const { values } = parseArgs({ options: { guild: { type: 'string' }, out: { type: 'string' } }, strict: false });
const [guildId, out] = [values.guild, values.out];
if (typeof guildId !== 'string' || !/^\d{17,20}$/.test(guildId) || typeof out !== 'string' || out === '') {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
try {
  const redis = await connectRedis(loadRedisConfig());
  try {
    const settings = new SettingsStore(redis);
    const archive = new ArchiveService(new ArchiveStore(redis), new SessionStore(redis), settings, () => '');
    const started = performance.now();
    const report = await exportSite(archive, { guildId: guildId, settings: await settings.get(guildId) }, out);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stdout.write(
      `Wrote ${report.sessions} sessions and ${report.papers} papers (${report.files} files) ` +
        `to ${out} in ${seconds} s.\n` +
        (report.skipped.length > 0 ? `Left out ${report.skipped.length} ids that cannot be file names.\n` : ''),
    );
  } finally {
    await redis.quit();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
