import type { ArchiveVisibility } from './archive/archive.js';
import { UserError, quoteInput } from './errors.js';

export interface GuildSettings {
  announceChannelId?: string;
  recapChannelId?: string;
  stageChannelId?: string;
  stageKind?: 'stage' | 'voice';
  hostRoleId?: string;
  pingRoleId?: string;
  /** Seconds before the start, largest first. */
  reminderOffsets: number[];
  timeZone?: string;
  voiceEnabled: boolean;
  /** Members who opt in (/transcript join) have what they say transcribed; needs a speech-to-text server. */
  transcriptEnabled: boolean;
  /** A forum where each queued paper gets a post (tagged queued, then covered), instead of a thread on its card. */
  papersForumId?: string;
  queuedTagId?: string;
  coveredTagId?: string;
  /** Seconds before the start that the weekly poll goes out (it closes at the agenda); absent: no scheduled poll. */
  pollOffset?: number;
  /** Seconds before the start that presenters are asked to confirm; absent: not asked. */
  confirmOffset?: number;
  /** The web archive: `off` serves nothing; `link` serves under `archiveToken`; `public` also under `archiveSlug`. */
  archiveVisibility: ArchiveVisibility;
  archiveToken?: string;
  archiveSlug?: string;
  /** The server's name when the archive was set up: the pages' title. */
  archiveTitle?: string;
}

const DEFAULT_REMINDER_OFFSETS = [24 * 3600, 3600, 10 * 60];
const DEFAULT_CONFIRM_OFFSET = 48 * 3600;
const MAX_REMINDERS = 10;
const MAX_OFFSET_SECONDS = 14 * 24 * 3600;
const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;

export function defaultSettings(): GuildSettings {
  return {
    reminderOffsets: [...DEFAULT_REMINDER_OFFSETS],
    voiceEnabled: false,
    transcriptEnabled: false,
    confirmOffset: DEFAULT_CONFIRM_OFFSET,
    archiveVisibility: 'off',
  };
}

/** `24h,1h,10m` (units d, h, m, s; `1h30m` allowed) → seconds, largest first. */
export function parseReminderOffsets(input: string) {
  const items = input
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new UserError('offsets-empty', 'Give at least one reminder time, like `24h,1h,10m`.');
  if (items.length > MAX_REMINDERS)
    throw new UserError('offsets-too-many', `At most ${MAX_REMINDERS} reminders a session; you gave ${items.length}.`);
  const seconds = items.map(parseOffset);
  const unique = [...new Set(seconds)].sort((a, b) => b - a);
  if (unique.length !== seconds.length)
    throw new UserError('offsets-duplicate', 'Two of those reminder times are the same; list each once.');
  return unique;
}

/**
 * `/setup reminders poll:` and `confirm:`: one time like `72h`, or `off` (null). The poll must open before the
 * agenda (`agendaOffset`), as it closes when the agenda goes out.
 */
export function parseExtraOffset(input: string, what: 'poll' | 'confirm', agendaOffset: number) {
  const text = input.trim().toLowerCase();
  if (text === 'off') return null;
  const seconds = parseOffset(text);
  if (what === 'poll' && seconds <= agendaOffset)
    throw new UserError(
      'poll-offset-late',
      `The poll closes when the agenda goes out (${formatOffset(agendaOffset)} before); ` +
        `open it earlier than that, like ${formatOffset(agendaOffset + 48 * 3600)}.`,
    );
  return seconds;
}

function parseOffset(item: string) {
  const match = /^(?:\d+[dhms])+$/i.test(item) ? item.toLowerCase().match(/\d+[dhms]/g) : null;
  if (!match)
    throw new UserError(
      'offset-invalid',
      `${quoteInput(item)} is not a reminder time: use a number and a unit (d, h, m or s), like \`24h\` or \`10m\`.`,
    );
  const total = match.reduce(
    (sum, part) => sum + Number(part.slice(0, -1)) * UNIT_SECONDS[part.slice(-1) as keyof typeof UNIT_SECONDS],
    0,
  );
  if (total < 1 || total > MAX_OFFSET_SECONDS)
    throw new UserError(
      'offset-range',
      `${quoteInput(item)} is out of range: reminders go from 1s to 14d before the session.`,
    );
  return total;
}

/** `86400` → `24h`, `5400` → `1h30m`. */
export function formatOffset(seconds: number) {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('') || '0s';
}
