import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { UserError } from '../domain/errors.js';
import { isHost } from '../domain/hosts.js';
import type { GuildSettings } from '../domain/settings.js';
import type { Services } from '../services.js';
import type { Preconditions } from './command.js';

function applies(scope: boolean | readonly string[] | undefined, subcommand: string | null): boolean {
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

/** Throws a UserError for the first precondition the interaction fails. */
export async function checkPreconditions(
  spec: Preconditions | undefined,
  interaction: Interaction,
  subcommand: string | null,
  settings: GuildSettings,
  services: Services,
  bucket: string,
): Promise<void> {
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
  const limit = spec?.rateLimit;
  if (limit && (!limit.subcommands || (subcommand !== null && limit.subcommands.includes(subcommand)))) {
    const result = await services.rateLimits.hit(interaction.guildId!, interaction.user.id, bucket, limit.limit, limit.windowSeconds * 1000);
    if (!result.allowed) {
      const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      throw new UserError('rate-limited', `Slow down: you can do that ${limit.limit} times every ${limit.windowSeconds} s. Try again in ${seconds} s.`);
    }
  }
}
