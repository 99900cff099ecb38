/** `message` is shown to the user verbatim; `code` is for tests and logs. */
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
export function quoteInput(text: string, max = 60) {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const cut = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return `\`${cut.replace(/`/g, 'ˋ')}\``;
}

export function noLiveSession() {
  return new UserError('no-live-session', 'No session is live right now. A host starts one with /session start.');
}

export function notHost(hostRoleId: string | undefined) {
  const who = hostRoleId
    ? `members with the <@&${hostRoleId}> role or Manage Server`
    : 'members with Manage Server (no host role is set yet)';
  return new UserError('not-host', `Only hosts can do that: ${who}.`);
}

export function overLimit(limit: { limit: number; windowSeconds: number }, retryAfterMs: number) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  // A window of an hour or more reads in hours and minutes: "every 3600 s" is a sum to do.
  if (limit.windowSeconds >= 3600) {
    const hours = limit.windowSeconds / 3600;
    const every = hours === 1 ? 'an hour' : `every ${Number.isInteger(hours) ? hours : hours.toFixed(1)} hours`;
    const minutes = Math.ceil(seconds / 60);
    const wait = minutes <= 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
    return new UserError(
      'rate-limited',
      `You can do that ${limit.limit} times ${every}, and you have. Try again in ${wait}.`,
    );
  }
  return new UserError(
    'rate-limited',
    `Slow down: you can do that ${limit.limit} times every ${limit.windowSeconds} s. Try again in ${seconds} s.`,
  );
}
