import type { ComponentChildren } from 'preact';
import type { Links } from '../links.js';

export interface PageContext {
  links: Links;
  /** The archive's title (the server's name). */
  title: string;
  /** The guild's time zone: times are written in it and shown in the reader's own when scripts run. */
  timeZone: string;
}

const FORMATS: Record<TimeStyle, Intl.DateTimeFormatOptions> = {
  time: { hour: '2-digit', minute: '2-digit' },
  date: { dateStyle: 'long' },
  datetime: { dateStyle: 'long', timeStyle: 'short' },
  day: { dateStyle: 'full' },
};
type TimeStyle = 'time' | 'date' | 'datetime' | 'day';

// Building an Intl.DateTimeFormat costs far more than using one: one per zone and style, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();
export function formatter(zone: string, style: TimeStyle) {
  const key = `${zone} ${style}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, ...FORMATS[style] })));
  return format;
}

/** A `<time>` element: `local-time.js` rewrites its text in the reader's time zone. */
export function Time({ ms, zone, style }: { ms: number; zone: string; style: TimeStyle }) {
  return (
    <time dateTime={new Date(ms).toISOString()} data-style={style}>
      {formatter(zone, style).format(ms)}
    </time>
  );
}

/** Every page's head: no referrer (a secret address must not leave through a link), one stylesheet, `children`. */
export function DocumentHead({
  title,
  stylesheet,
  children,
}: {
  title: string;
  stylesheet: string;
  children?: ComponentChildren;
}) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{title}</title>
      <link rel="stylesheet" href={stylesheet} />
      {children}
    </head>
  );
}

/** `title`: the heading as plain text, for the window title (where `heading` holds markup, like a local date). */
export function Layout({
  ctx,
  heading,
  title = typeof heading === 'string' ? heading : '',
  children,
}: {
  ctx: PageContext;
  heading: ComponentChildren;
  title?: string;
  children: ComponentChildren;
}) {
  const { links } = ctx;
  return (
    <html lang="en">
      <DocumentHead title={`${title} · ${ctx.title}`} stylesheet={links.asset('style.css')}>
        <link rel="alternate" type="application/atom+xml" title={`${ctx.title}: sessions`} href={links.feed} />
        <script src={links.asset('local-time.js')} defer />
      </DocumentHead>
      <body>
        <header class="site">
          <a href={links.index}>{ctx.title}</a>
          <span class="zone" data-zone={ctx.timeZone}>
            Times in {ctx.timeZone.replaceAll('_', ' ')}
          </span>
        </header>
        <main>
          <h1>{heading}</h1>
          {children}
        </main>
        <footer class="site">
          <a href={links.feed}>Atom feed</a>
          <span>Kept by Lectern</span>
        </footer>
      </body>
    </html>
  );
}

/** The name a member shows; a member without one (or who asked to be forgotten) is "a member". */
export function nameOf(names: ReadonlyMap<string, string>, userId: string | undefined) {
  return (userId && names.get(userId)) || 'a member';
}
