/** What /privacy export gives a member: every stored record naming them, by key, and what makes those readable. */
export interface MemberExport {
  records: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** Fields naming who did something: in a record of the member's, another member's id there is hidden. */
const WHO = new Set([
  'userId',
  'askerId',
  'presenterId',
  'suggestedById',
  'byId',
  'by',
  'startedBy',
  'nextCalled',
  'nextCalledBy',
]);
/** Fields about the member a WHO field names, which go with that id when it is someone else's. */
const ABOUT: Record<string, string[]> = {
  presenterId: ['presenterName', 'confirmedFor'],
  suggestedById: ['note'],
};
/** What of another record a member's record leans on is shown: a question's text, a paper's title. */
const READABLE = ['text', 'title', 'ref', 'sessionId', 'status', 'startedAt', 'endedAt'];
/** Field names that say what a value is (not ids, not `dm:<member>`): kept beside the member's part of a record. */
const PLAIN_FIELD = /^[a-z][A-Za-z]*$/;
export const ANOTHER_MEMBER = '(another member)';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string naming the member: their id, or a compound such as `dm:<id>`. */
const names = (text: string, userId: string) => text === userId || text.split(':').includes(userId);

/**
 * Picks the member's records out of a guild's data as `exportGuildData` walks it (key → value), whatever the key:
 * an object with a field naming them is theirs whole (another member's id in it hidden); elsewhere only the parts
 * naming them are kept (their entry in a list or set, their field of a hash), with the plain fields around them.
 */
export function memberRecords(data: Record<string, unknown>, userId: string): MemberExport {
  const records: Json = {};
  for (const [key, value] of Object.entries(data)) {
    const picked = names(key, userId) ? value : pick(value, userId);
    if (picked !== undefined) records[key] = picked;
  }
  const context: Json = {};
  for (const key of Object.keys(records)) {
    const parent = recordAbove(data, key);
    if (parent && !(parent in records) && !(parent in context)) context[parent] = readable(data[parent] as Json);
  }
  return { records, context };
}

function pick(value: unknown, userId: string): unknown {
  if (typeof value === 'string') return names(value, userId) ? value : undefined;
  if (Array.isArray(value)) {
    const kept = value.map((item) => pick(item, userId)).filter((item) => item !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (!isObject(value)) return undefined;
  const fields = Object.entries(value);
  if (fields.some(([, v]) => typeof v === 'string' && names(v, userId))) return hideOthers(value, userId);
  const theirs: Json = {};
  for (const [field, v] of fields) {
    const part = names(field, userId) ? v : pick(v, userId);
    if (part !== undefined) theirs[field] = part;
  }
  if (Object.keys(theirs).length === 0) return undefined;
  for (const [field, v] of fields)
    if (PLAIN_FIELD.test(field) && !WHO.has(field) && (v === null || typeof v !== 'object') && !(field in theirs))
      theirs[field] = v;
  return theirs;
}

/** A record of the member's, with every other member's id (and what goes with it) hidden. */
function hideOthers(record: Json, userId: string): Json {
  const shown: Json = {};
  const hidden = new Set<string>();
  for (const [field, value] of Object.entries(record))
    if (WHO.has(field) && value !== userId) for (const about of ABOUT[field] ?? []) hidden.add(about);
  for (const [field, value] of Object.entries(record)) {
    if (hidden.has(field)) continue;
    if (WHO.has(field) && value !== userId) shown[field] = ANOTHER_MEMBER;
    else if (isObject(value)) shown[field] = hideOthers(value, userId);
    else if (Array.isArray(value)) shown[field] = value.map((v) => (isObject(v) ? hideOthers(v, userId) : v));
    else shown[field] = value;
  }
  return shown;
}

/** The nearest key above `key` holding a record (`question:x` above `question:x:voters`). */
function recordAbove(data: Record<string, unknown>, key: string) {
  for (let end = key.lastIndexOf(':'); end > 0; end = key.lastIndexOf(':', end - 1)) {
    const parent = key.slice(0, end);
    if (isObject(data[parent])) return parent;
  }
  return undefined;
}

function readable(record: Json): Json {
  return Object.fromEntries(READABLE.filter((field) => field in record).map((field) => [field, record[field]]));
}
