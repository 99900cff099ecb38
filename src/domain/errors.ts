/**
 * An error the user caused and can fix. `code` identifies the case for tests
 * and logs; `message` is shown to the user as it is, so write it for them.
 */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Shows user text inside an error message without letting it format or run on. */
export function quoteInput(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const cut = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return `\`${cut.replace(/`/g, 'ˋ')}\``;
}

/**
 * The rate limit, as a store script found it when another use by the same
 * member landed between the router's count and the script (the router's own
 * check names the limit; this one cannot).
 */
export function rateLimited(): UserError {
  return new UserError('rate-limited', 'Slow down: you have done that too often in the last minute. Try again shortly.');
}
