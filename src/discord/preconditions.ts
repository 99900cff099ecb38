import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { noLiveSession, notHost, overLimit } from '../domain/errors.js';
import { isHost, type MemberStanding } from '../domain/hosts.js';
import type { Session } from '../domain/session/session.js';
import type { GuildSettings } from '../domain/settings.js';
import type { Services } from '../services.js';
import type { Preconditions, Scope } from './command.js';

export function applies(scope: Scope | undefined, subcommand: string | null): boolean {
  if (scope === undefined || scope === false) return false;
  if (scope === true) return true;
  return subcommand !== null && scope.includes(subcommand);
}

/** Role ids of the member behind an interaction, whether discord.js cached the member or not. */
export function memberRoleIds(interaction: Interaction): string[] {
  const roles = interaction.member?.roles;
  if (!roles) return [];
  return Array.isArray(roles) ? roles : [...roles.cache.keys()];
}

export function memberStanding(interaction: Interaction): MemberStanding {
  return {
    roleIds: memberRoleIds(interaction),
    hasManageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  };
}

export interface Decision {
  settings: GuildSettings;
  session?: Session;
}

/**
 * Decides whether the interaction may run: host-only, then the live session,
 * then the member's rate limit. The reads (settings, live session) leave in
 * one round trip. The rate-limit counter is the only write: for a host-only
 * command it is sent once the member is known to be a host; for the others
 * (anyone may run them) it rides in that same round trip, and is decided last.
 */
export async function decide(
  spec: Preconditions | undefined,
  interaction: Interaction,
  subcommand: string | null,
  bucket: string,
  services: Services,
): Promise<Decision> {
  const guildId = interaction.guildId ?? '';
  const hostOnly = applies(spec?.hostOnly, subcommand);
  const needsSession = applies(spec?.liveSession, subcommand);
  const limit = spec?.rateLimit;
  const limited = limit && (!limit.subcommands || (subcommand !== null && limit.subcommands.includes(subcommand)));
  const take = () => (limited ? services.rateLimits.take(guildId, interaction.user.id, bucket, limit) : undefined);
  const [settings, session, counted] = await Promise.all([
    services.settings.get(guildId),
    needsSession || applies(spec?.readsSession, subcommand) ? services.live.current(guildId) : undefined,
    hostOnly ? undefined : take(),
  ]);
  if (hostOnly && !isHost(memberStanding(interaction), settings.hostRoleId)) throw notHost(settings.hostRoleId);
  if (needsSession && !session) throw noLiveSession();
  const use = hostOnly ? await take() : counted;
  if (limit && use && !use.allowed) throw overLimit(limit, use.retryAfterMs);
  return { settings, ...(session ? { session } : {}) };
}
