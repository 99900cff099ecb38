import { pageText, type ArchiveSummary } from '../../domain/archive/archive.js';
import { Layout, nameOf, Time, type PageContext } from './layout.js';

export function IndexPage({
  ctx,
  sessions,
  names,
  query,
}: {
  ctx: PageContext;
  sessions: ArchiveSummary[];
  names: ReadonlyMap<string, string>;
  /** A search's words; absent: every session. */
  query?: string;
}) {
  const { links } = ctx;
  const heading = query === undefined ? 'Sessions' : `Sessions matching “${pageText(query, 100)}”`;
  return (
    <Layout ctx={ctx} heading={heading}>
      {links.search && (
        <form class="search" method="get" action={links.search} role="search">
          <label for="q">Search titles, authors, arXiv ids, questions, answers, highlights and takeaways</label>
          <input id="q" name="q" type="search" maxLength={200} value={query ?? ''} />
          <button type="submit">Search</button>
        </form>
      )}
      {/* Shown by a static export's search script when nothing matches. */}
      {links.searchScripts && (
        <p class="no-match" hidden>
          No session matches.
        </p>
      )}
      {sessions.length === 0 ? (
        <p>{query === undefined ? 'No session has been recapped yet.' : 'No session matches.'}</p>
      ) : (
        <table class="sessions">
          <caption>
            {sessions.length} session{sessions.length === 1 ? '' : 's'}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Papers</th>
              <th scope="col">Presenters</th>
              <th scope="col">Questions</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.sessionId} data-session={s.sessionId}>
                <td data-label="Date">
                  <a href={links.session(s.sessionId)}>
                    <Time ms={s.startedAt} zone={ctx.timeZone} style="date" />
                  </a>
                </td>
                <td data-label="Papers">
                  {s.papers.length === 0 ? (
                    'none'
                  ) : (
                    <ul>
                      {s.papers.map((p) => (
                        <li key={p.id}>
                          <a href={links.paper(p.id)}>{pageText(p.title, 300)}</a>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td data-label="Presenters">
                  {s.presenterIds.map((id) => pageText(nameOf(names, id), 100)).join(', ') || '—'}
                </td>
                <td data-label="Questions">
                  {s.answered} answered of {s.asked}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {links.searchScripts?.map((src) => (
        <script key={src} src={src} defer />
      ))}
    </Layout>
  );
}
