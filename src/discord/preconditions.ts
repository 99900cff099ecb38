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
 * then the member's rate limit. Reads come first; the rate-limit counter is
 * the only write, and it is sent only once every other check has passed.
 * A host-only command reads the session only after the member is known to be a host.
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
  const readSession = () => (needsSession ? services.live.current(guildId) : Promise.resolve(undefined));
  const [settings, early] = await Promise.all([services.settings.get(guildId), hostOnly ? undefined : readSession()]);
  if (hostOnly && !isHost(memberStanding(interaction), settings.hostRoleId)) throw notHost(settings.hostRoleId);
  const session = hostOnly ? await readSession() : early;
  if (needsSession && !session) throw noLiveSession();
  const limit = spec?.rateLimit;
  if (limit && (!limit.subcommands || (subcommand !== null && limit.subcommands.includes(subcommand)))) {
    const use = await services.rateLimits.take(guildId, interaction.user.id, bucket, limit);
    if (!use.allowed) throw overLimit(limit, use.retryAfterMs);
  }
  return { settings, ...(session ? { session } : {}) };
}
