import type { JSX } from 'preact';
import { pageText } from '../domain/archive/archive.js';
import type { ArchiveGuild, ArchiveService } from '../archive/archive-service.js';
import { renderPage } from './pages/render.js';
import { atomFeed } from './feed.js';
import type { Links } from './links.js';
import { IndexPage } from './pages/index-page.js';
import type { PageContext } from './pages/layout.js';
import { PaperPage } from './pages/paper-page.js';
import { SessionPage } from './pages/session-page.js';

/** The page does not exist for this reader: answered exactly like an unknown address. */
export class NotFound extends Error {}

/** What a page needs of a server (an export has no version: it is rendered once). */
export type PageGuild = Pick<ArchiveGuild, 'guildId' | 'settings'>;

/** A page as sent: HTML or the Atom feed. */
export interface Rendered {
  type: 'html' | 'atom';
  body: string;
}

const html = (page: JSX.Element): Rendered => ({ type: 'html', body: renderPage(page) });

const MAX_QUERY = 200;

function pageContext(guild: PageGuild, links: Links): PageContext {
  return {
    links,
    title: guild.settings.archiveTitle ? `${pageText(guild.settings.archiveTitle, 100)}: sessions` : 'Session archive',
    timeZone: guild.settings.timeZone ?? 'UTC',
  };
}

/**
 * Each page from a guild's archive, for the web server and the static export alike. `keep`: which sessions the
 * pages may list (an export leaves out those it cannot write, so no link points at a missing file).
 */
export function guildPages(archive: ArchiveService, keep: (sessionId: string) => boolean = () => true) {
  const listed = async (guildId: string) => (await archive.summaries(guildId)).filter((s) => keep(s.sessionId));
  return {
    async index(guild: PageGuild, links: Links, query = ''): Promise<Rendered> {
      const [summaries, names] = await Promise.all([listed(guild.guildId), archive.names(guild.guildId)]);
      const words = query.trim().slice(0, MAX_QUERY);
      const sessions = words ? await archive.search(guild.guildId, summaries, words) : summaries;
      const ctx = pageContext(guild, links);
      return html(<IndexPage ctx={ctx} sessions={sessions} names={names} {...(words && { query: words })} />);
    },

    async session(guild: PageGuild, links: Links, sessionId: string): Promise<Rendered> {
      const [recap, names] = await Promise.all([archive.recap(guild.guildId, sessionId), archive.names(guild.guildId)]);
      if (!recap) throw new NotFound();
      return html(<SessionPage ctx={pageContext(guild, links)} recap={recap} names={names} />);
    },

    async paper(guild: PageGuild, links: Links, paperId: string): Promise<Rendered> {
      const [summaries, names] = await Promise.all([listed(guild.guildId), archive.names(guild.guildId)]);
      const coverage = await archive.paper(guild.guildId, paperId, summaries);
      if (coverage.length === 0) throw new NotFound();
      return html(<PaperPage ctx={pageContext(guild, links)} coverage={coverage} names={names} />);
    },

    /** `base`: the archive's absolute address ('' in an export, whose links stay relative). */
    async feed(guild: PageGuild, links: Links, base: string): Promise<Rendered> {
      const sessions = await listed(guild.guildId);
      const ctx = pageContext(guild, links);
      return {
        type: 'atom',
        body: atomFeed({
          title: ctx.title,
          timeZone: ctx.timeZone,
          id: `urn:lectern:archive:${guild.guildId}`,
          base,
          sessions,
          sessionHref: (id) => `${base}${links.session(id).slice(base ? links.index.length : 0)}`,
          selfHref: `${base}feed.xml`,
        }),
      };
    },
  };
}
