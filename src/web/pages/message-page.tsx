/** A page with one message (not found, unavailable, the home page), without the archive's chrome. */
export function MessagePage({ heading, text }: { heading: string; text: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{heading}</title>
        <link rel="stylesheet" href="/assets/style.css" />
      </head>
      <body>
        <main>
          <h1>{heading}</h1>
          <p>{text}</p>
        </main>
      </body>
    </html>
  );
}
