import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { UserError } from '../domain/errors.js';
import { isHost } from '../domain/hosts.js';
import type { Session } from '../domain/session/session.js';
import type { GuildSettings } from '../domain/settings.js';
import type { Services } from '../services.js';
import type { RateLimitResult } from '../store/rate-limit-store.js';
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

/** Counts this use against the command's per-user limit, if it has one (null when it has none). */
export function countUse(spec: Preconditions | undefined, interaction: Interaction, subcommand: string | null, services: Services, bucket: string): Promise<RateLimitResult | null> {
  const limit = spec?.rateLimit;
  if (!limit || !interaction.guildId || (limit.subcommands && (subcommand === null || !limit.subcommands.includes(subcommand)))) return Promise.resolve(null);
  return services.rateLimits.hit(interaction.guildId, interaction.user.id, bucket, limit.limit, limit.windowSeconds * 1000);
}

/** Throws a UserError for the first precondition the interaction fails: host-only, then the rate limit. */
export function assertPreconditions(spec: Preconditions | undefined, interaction: Interaction, subcommand: string | null, settings: GuildSettings, use: RateLimitResult | null, session: Session | undefined): void {
  if (applies(spec?.hostOnly, subcommand)) {
    const standing = {
      roleIds: memberRoleIds(interaction),
      hasManageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
    };
    if (!isHost(standing, settings.hostRoleId)) {
      const who = settings.hostRoleId ? `members with the <@&${settings.hostRoleId}> role or Manage Server` : 'members with Manage Server (no host role is set yet)';
      throw new UserError('not-host', `Only hosts can do that: ${who}.`);
    }
  }
  if (applies(spec?.liveSession, subcommand) && !session) {
    throw new UserError('no-live-session', 'No session is live right now. A host starts one with /session start.');
  }
  if (use && !use.allowed) {
    const limit = spec!.rateLimit!;
    const seconds = Math.max(1, Math.ceil(use.retryAfterMs / 1000));
    throw new UserError('rate-limited', `Slow down: you can do that ${limit.limit} times every ${limit.windowSeconds} s. Try again in ${seconds} s.`);
  }
}
