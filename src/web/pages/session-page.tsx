import type { JSX } from 'preact';
import { pageText, safeHref } from '../../domain/archive/archive.js';
import {
  askerLabel,
  durationLabel,
  talkLabel,
  type Recap,
  type RecapNote,
  type RecapQuestion,
} from '../../domain/recap/recap.js';
import { offsetLabel } from '../../domain/session/session.js';
import { formatter, Layout, nameOf, Time, type PageContext } from './layout.js';
import { SpeakerTimeline } from './timeline.js';
import { Chapter, HeardSection, TranscriptSection, WrittenSummarySection } from './transcript.js';

interface Props {
  ctx: PageContext;
  recap: Recap;
  names: ReadonlyMap<string, string>;
}

/** A link out of the archive: http(s) only, never passing the archive's secret address on. */
export function OutLink({ href, children }: { href: string | undefined; children: string }) {
  const safe = safeHref(href);
  return safe ? (
    <a href={safe} rel="noopener noreferrer nofollow">
      {children}
    </a>
  ) : (
    <span>{children}</span>
  );
}

function QA({ q, names }: { q: RecapQuestion; names: ReadonlyMap<string, string> }) {
  return (
    <li class="qa">
      <p class="q">
        {q.votes > 0 && (
          <span class="votes">
            ▲ {q.votes} <span class="visually-hidden">upvotes</span>
          </span>
        )}{' '}
        {pageText(q.text)}
      </p>
      <p class="who">
        asked by {askerLabel(q, (id) => pageText(nameOf(names, id), 100)).replace(/^anonymous$/, 'an anonymous member')}
        {q.early ? ', before the session' : ''}
      </p>
      {q.answer !== undefined && <p class="a">{pageText(q.answer)}</p>}
    </li>
  );
}

function QAs({ questions, names }: { questions: RecapQuestion[]; names: ReadonlyMap<string, string> }) {
  if (questions.length === 0) return null;
  return (
    <ul class="qas">
      {questions.map((q, j) => (
        <QA key={j} q={q} names={names} />
      ))}
    </ul>
  );
}

/** Highlights or takeaways, each at its time (and offset into the session). */
function Notes({ kind, notes, at }: { kind: string; notes: RecapNote[]; at: (ms: number) => JSX.Element }) {
  if (notes.length === 0) return null;
  return (
    <ul class={kind}>
      {notes.map((n) => (
        <li key={n.at}>
          {at(n.at)} {pageText(n.text)}
        </li>
      ))}
    </ul>
  );
}

export function SessionPage({ ctx, recap, names }: Props) {
  const { links, timeZone } = ctx;
  const who = (id: string | undefined) => pageText(nameOf(names, id), 100);
  const at = (ms: number) => (
    <>
      <Time ms={ms} zone={timeZone} style="time" /> <span class="offset">({offsetLabel(recap.startedAt, ms)})</span>
    </>
  );
  const covered = new Set(recap.covered.map((p) => p.id));
  const loose = <T extends { paperId?: string }>(items: T[]) => items.filter((i) => !covered.has(i.paperId ?? ''));
  const presenters = [...new Set(recap.covered.flatMap((p) => (p.presenterId ? [who(p.presenterId)] : [])))];
  const day = formatter(timeZone, 'day').format(recap.startedAt);
  return (
    <Layout
      ctx={ctx}
      title={`Session of ${day}`}
      heading={
        <>
          Session of <Time ms={recap.startedAt} zone={timeZone} style="day" />
        </>
      }
    >
      <section aria-labelledby="summary">
        <h2 id="summary">Summary</h2>
        <p>
          {recap.covered.length} paper{recap.covered.length === 1 ? '' : 's'} covered
          {presenters.length > 0 && `, presented by ${presenters.join(', ')}`}. {recap.asked} question
          {recap.asked === 1 ? '' : 's'} asked, {recap.answered.length} answered. From{' '}
          <Time ms={recap.startedAt} zone={timeZone} style="time" /> to{' '}
          <Time ms={recap.endedAt} zone={timeZone} style="time" /> ({durationLabel(recap.endedAt - recap.startedAt)}
          ).
          {recap.attendancePeak > 0 && ` Attendance peak: ${recap.attendancePeak}.`}
        </p>
        {recap.mostUpvoted && (
          <p>
            Most upvoted: “{pageText(recap.mostUpvoted.text, 300)}” ({recap.mostUpvoted.votes} votes).
          </p>
        )}
        {recap.recording && (
          <p>
            Recording: <OutLink href={recap.recording}>{pageText(recap.recording, 300)}</OutLink>
          </p>
        )}
      </section>

      <WrittenSummarySection transcript={recap.transcript} />

      <section aria-labelledby="papers">
        <h2 id="papers">Papers, in the order covered</h2>
        {recap.covered.length === 0 && <p>No paper was presented.</p>}
        {recap.covered.map((paper, i) => {
          const highlights = recap.highlights.filter((n) => n.paperId === paper.id);
          const answered = recap.answered.filter((q) => q.paperId === paper.id);
          return (
            <article class="paper" key={paper.id} aria-labelledby={`paper-${i}`}>
              <h3 id={`paper-${i}`}>
                {i + 1}. <OutLink href={paper.url}>{pageText(paper.title, 300)}</OutLink>
              </h3>
              {paper.authors && paper.authors.length > 0 && (
                <p class="authors">{pageText(paper.authors.join(', '), 500)}</p>
              )}
              <p>
                {paper.presenterId ? `Presented by ${who(paper.presenterId)}, from ` : 'From '}
                {at(paper.startedAt)}. <a href={links.paper(paper.id)}>Every session on this paper</a>
                {paper.threadUrl && (
                  <>
                    {' · '}
                    <OutLink href={paper.threadUrl}>Discussion thread</OutLink>
                  </>
                )}
              </p>
              <Chapter written={recap.transcript?.summary} paperId={paper.id} at={at} />
              <Notes kind="highlights" notes={highlights} at={at} />
              <QAs questions={answered} names={names} />
            </article>
          );
        })}
      </section>

      {(loose(recap.highlights).length > 0 || loose(recap.answered).length > 0) && (
        <section aria-labelledby="outside">
          <h2 id="outside">Outside the papers</h2>
          <Notes kind="highlights" notes={loose(recap.highlights)} at={at} />
          <QAs questions={loose(recap.answered)} names={names} />
        </section>
      )}

      {recap.unanswered.length > 0 && (
        <section aria-labelledby="unanswered">
          <h2 id="unanswered">Unanswered questions</h2>
          <QAs questions={recap.unanswered} names={names} />
        </section>
      )}

      {recap.takeaways.length > 0 && (
        <section aria-labelledby="takeaways">
          <h2 id="takeaways">Key takeaways</h2>
          <Notes kind="takeaways" notes={recap.takeaways} at={at} />
        </section>
      )}

      <HeardSection written={recap.transcript?.summary} who={who} />

      {recap.speakers.length > 0 && (
        <section aria-labelledby="speakers">
          <h2 id="speakers">Who spoke when</h2>
          {/* Scrolls sideways on a phone, where it would be too small to read; focusable so keyboards can scroll. */}
          <div class="timeline-scroll" tabIndex={0} role="group" aria-label="Speaker timeline">
            <SpeakerTimeline recap={recap} who={who} />
          </div>
          <ul class="speakers">
            {recap.speakers.map((s) => (
              <li key={s.userId}>
                {who(s.userId)}:{' '}
                {s.segments.map((seg, j) => (
                  <span key={j}>
                    {j > 0 && ', '}
                    <Time ms={seg.from} zone={timeZone} style="time" />–
                    <Time ms={seg.to} zone={timeZone} style="time" />
                  </span>
                ))}{' '}
                ({recap.speakerSource === 'voice' ? talkLabel(s.totalMs) : durationLabel(s.totalMs)} in all)
              </li>
            ))}
          </ul>
        </section>
      )}

      <TranscriptSection recap={recap} who={who} at={at} />
    </Layout>
  );
}
