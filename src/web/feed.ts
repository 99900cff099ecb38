import { XMLBuilder } from 'fast-xml-parser';
import { pageText, type ArchiveSummary } from '../domain/archive/archive.js';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true });

/**
 * An Atom feed (RFC 4287) of the newest sessions. `base`: the archive's absolute address, or '' in a static export
 * (links then stay relative to the feed). fast-xml-parser escapes text and attribute values.
 */
export function atomFeed(options: {
  title: string;
  /** The server's time zone: an entry's date is the session's day there. */
  timeZone: string;
  id: string;
  base: string;
  sessions: ArchiveSummary[];
  sessionHref(sessionId: string): string;
  selfHref: string;
}): string {
  const { sessions } = options;
  // en-CA writes dates as YYYY-MM-DD.
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: options.timeZone });
  const updated = new Date(Math.max(0, ...sessions.map((s) => s.endedAt))).toISOString();
  const feed = {
    '?xml': { '@version': '1.0', '@encoding': 'utf-8' },
    feed: {
      '@xmlns': 'http://www.w3.org/2005/Atom',
      title: pageText(options.title, 200),
      id: options.id,
      updated,
      author: { name: pageText(options.title, 200) },
      link: [
        { '@rel': 'self', '@href': options.selfHref },
        { '@rel': 'alternate', '@href': options.base || './' },
      ],
      entry: sessions.slice(0, 50).map((s) => {
        const date = day.format(s.startedAt);
        const papers = s.papers.map((p) => pageText(p.title, 300));
        return {
          title: `Session of ${date}${papers.length > 0 ? `: ${papers.slice(0, 3).join('; ')}` : ''}`.slice(0, 400),
          id: `${options.id}:session:${s.sessionId}`,
          updated: new Date(s.endedAt).toISOString(),
          published: new Date(s.startedAt).toISOString(),
          link: { '@rel': 'alternate', '@type': 'text/html', '@href': options.sessionHref(s.sessionId) },
          summary: `${papers.length} paper${papers.length === 1 ? '' : 's'} covered; ${s.asked} questions asked, ${
            s.answered
          } answered.`,
        };
      }),
    },
  };
  return builder.build(feed) as string;
}
