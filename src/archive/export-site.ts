import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { searchableText, searchTerms } from '../domain/archive/archive.js';
import type { GuildSettings } from '../domain/settings.js';
import { guildPages, type Rendered } from '../web/archive-pages.js';
import { exportLinks } from '../web/links.js';
import { readAsset } from '../web/server.js';
import type { ArchiveService } from './archive-service.js';

/** Ids become file names: anything but letters, digits, `-` and `_` is refused, so no id can climb out of `out`. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface ExportReport {
  sessions: number;
  papers: number;
  /** Ids left out because they could not be file names. */
  skipped: string[];
  files: number;
}

/**
 * The archive's pages as static files under `out` (index.html, sessions/<id>.html, papers/<id>.html, feed.xml,
 * assets/), every link relative, for any static host. The same pages the web server serves; search runs in the
 * reader's browser (assets/search.js over assets/search-index.js).
 */
export async function exportSite(
  archive: ArchiveService,
  guild: { guildId: string; settings: GuildSettings },
  out: string,
): Promise<ExportReport> {
  const root = resolve(out);
  const pages = guildPages(archive, (sessionId) => SAFE_ID.test(sessionId));
  const report: ExportReport = { sessions: 0, papers: 0, skipped: [], files: 0 };
  const write = async (path: string, body: string | Buffer) => {
    const file = resolve(root, path);
    // Never outside the export's folder, whatever a path holds.
    if (!file.startsWith(root + sep)) throw new Error(`refused path ${path}`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
    report.files++;
  };
  const body = (page: Rendered) => page.body;

  await write('index.html', body(await pages.index(guild, exportLinks(0))));
  await write('feed.xml', body(await pages.feed(guild, exportLinks(0), '')));
  for (const name of ['style.css', 'local-time.js', 'search.js']) await write(`assets/${name}`, readAsset(name));
  const all = await archive.summaries(guild.guildId);
  const summaries = all.filter((s) => SAFE_ID.test(s.sessionId));
  report.skipped.push(...all.filter((s) => !SAFE_ID.test(s.sessionId)).map((s) => s.sessionId));
  // The words each session can be found by, for search.js: a script (not JSON to fetch), so it works from file://.
  const words: Record<string, string[]> = {};
  for (const { sessionId } of summaries) {
    const recap = await archive.recap(guild.guildId, sessionId);
    if (recap) words[sessionId] = [...new Set(searchTerms(searchableText(recap)))];
  }
  await write('assets/search-index.js', `window.LECTERN_SEARCH = ${JSON.stringify(words)};\n`);
  for (const { sessionId } of summaries) {
    await write(`sessions/${sessionId}.html`, body(await pages.session(guild, exportLinks(1), sessionId)));
    report.sessions++;
  }
  // One page per paper, written under each queue entry's id that covered it (the same paper queued twice).
  const byPaper = new Map<string, string[]>();
  for (const paper of summaries.flatMap((s) => s.papers))
    byPaper.set(paper.key, [...(byPaper.get(paper.key) ?? []), paper.id]);
  for (const paperIds of byPaper.values()) {
    const safe = paperIds.filter((id) => SAFE_ID.test(id));
    report.skipped.push(...paperIds.filter((id) => !SAFE_ID.test(id)));
    if (safe.length === 0) continue;
    const page = body(await pages.paper(guild, exportLinks(1), safe[0]!));
    for (const paperId of new Set(safe)) {
      await write(`papers/${paperId}.html`, page);
      report.papers++;
    }
  }
  return report;
}
