import type { Recap } from '../../domain/recap/recap.js';

const LABEL = 180;
const WIDTH = 1000;
const ROW = 26;
const TOP = 22;

/** Who spoke when, one row per speaker, drawn with SVG attributes only (no inline style: the page's CSP forbids it). */
export function SpeakerTimeline({ recap, who }: { recap: Recap; who: (userId: string) => string }) {
  const span = Math.max(1, recap.endedAt - recap.startedAt);
  const x = (ms: number) => LABEL + ((WIDTH - LABEL - 10) * Math.min(Math.max(ms - recap.startedAt, 0), span)) / span;
  const height = TOP + recap.speakers.length * ROW + 4;
  return (
    <svg class="timeline" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby="timeline-title">
      <title id="timeline-title">
        Speaker timeline: {recap.speakers.length} speakers over the session; papers start at the numbered lines
      </title>
      {recap.covered.map((paper, i) => (
        <g key={paper.id} class="paper-start">
          <line x1={x(paper.startedAt)} x2={x(paper.startedAt)} y1={TOP - 6} y2={height} />
          <text x={x(paper.startedAt) + 3} y={TOP - 8}>
            {i + 1}
          </text>
        </g>
      ))}
      {recap.speakers.map((speaker, row) => (
        <g key={speaker.userId} class="speaker">
          <text x={LABEL - 8} y={TOP + row * ROW + ROW / 2 + 4} text-anchor="end">
            {who(speaker.userId).slice(0, 24)}
          </text>
          {speaker.segments.map((seg, j) => (
            <rect
              key={j}
              x={x(seg.from)}
              y={TOP + row * ROW + 4}
              width={Math.max(2, x(seg.to) - x(seg.from))}
              height={ROW - 8}
              rx={3}
            />
          ))}
        </g>
      ))}
    </svg>
  );
}
