import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { noLiveSession, overLimit, UserError } from '../domain/errors.js';
import { isHost, type MemberStanding } from '../domain/hosts.js';
import type { Session } from '../domain/session/session.js';
import type { GuildSettings } from '../domain/settings.js';
import type { Services } from '../services.js';
import type { RateCount, RateLimitResult } from '../store/rate-limit-store.js';
import type { Preconditions } from './command.js';

export function applies(scope: boolean | readonly string[] | undefined, subcommand: string | null): boolean {
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

/**
 * The counter this use is counted on, if the command has a per-user limit here
 * (null when it has none); `byEarly`: the command's early script counts it.
 */
export function rateLimitFor(
  spec: Preconditions | undefined,
  interaction: Interaction,
  subcommand: string | null,
  bucket: string,
  services: Services,
): { count: RateCount; byEarly: boolean } | null {
  const limit = spec?.rateLimit;
  if (
    !limit ||
    !interaction.guildId ||
    (limit.subcommands && (subcommand === null || !limit.subcommands.includes(subcommand)))
  )
    return null;
  const count = {
    key: services.rateLimits.key(interaction.guildId, interaction.user.id, bucket),
    limit: limit.limit,
    windowSeconds: limit.windowSeconds,
  };
  return { count, byEarly: limit.counted === 'early' };
}

/** Throws a UserError for the first precondition the interaction fails: host-only, live session, then the rate limit. */
export function assertPreconditions(
  spec: Preconditions | undefined,
  standing: MemberStanding,
  subcommand: string | null,
  settings: GuildSettings,
  use: RateLimitResult | null,
  session: Session | undefined,
): void {
  if (applies(spec?.hostOnly, subcommand)) {
    if (!isHost(standing, settings.hostRoleId)) {
      const who = settings.hostRoleId
        ? `members with the <@&${settings.hostRoleId}> role or Manage Server`
        : 'members with Manage Server (no host role is set yet)';
      throw new UserError('not-host', `Only hosts can do that: ${who}.`);
    }
  }
  if (applies(spec?.liveSession, subcommand) && !session) throw noLiveSession();
  if (use && !use.allowed) throw overLimit(spec!.rateLimit!, use.retryAfterMs);
}
