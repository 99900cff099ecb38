import type { JSX } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** A whole HTML document; preact escapes every text and attribute value it renders. */
export function renderPage(page: JSX.Element): string {
  return `<!doctype html>\n${renderToString(page)}`;
}
