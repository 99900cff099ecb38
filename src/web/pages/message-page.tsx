import { DocumentHead } from './layout.js';

/** A page with one message (not found, unavailable, the home page), without the archive's chrome. */
export function MessagePage({ heading, text }: { heading: string; text: string }) {
  return (
    <html lang="en">
      <DocumentHead title={heading} stylesheet="/assets/style.css" />
      <body>
        <main>
          <h1>{heading}</h1>
          <p>{text}</p>
        </main>
      </body>
    </html>
  );
}
