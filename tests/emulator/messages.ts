import type { APIMessage } from 'discord-api-types/v10';

/** Who a message actually pings, by Discord's rules: without allowed_mentions, everything in the text pings. */
export interface Pings {
  everyone: boolean;
  roles: string[];
  users: string[];
}

interface AllowedMentions {
  parse?: string[];
  roles?: string[];
  users?: string[];
}

export function computePings(content: string, allowed: AllowedMentions | undefined): Pings {
  const parse = allowed ? (allowed.parse ?? []) : ['everyone', 'roles', 'users'];
  const ids = (pattern: RegExp) => [...content.matchAll(pattern)].map((m) => m[1]!);
  return {
    everyone: /@(everyone|here)\b/.test(content) && parse.includes('everyone'),
    roles: ids(/<@&(\d+)>/g).filter((id) => parse.includes('roles') || (allowed?.roles ?? []).includes(id)),
    users: ids(/<@!?(\d+)>/g).filter((id) => parse.includes('users') || (allowed?.users ?? []).includes(id)),
  };
}

/** One message the bot created or edited, as recorded for assertions. */
export interface PostRecord {
  action: 'create' | 'edit';
  via: 'channel' | 'interaction' | 'webhook';
  channelId: string;
  messageId: string;
  /** When Discord took it, on the emulator's clock. */
  at: number;
  body: Record<string, unknown>;
  pings: Pings;
  message: APIMessage;
}
