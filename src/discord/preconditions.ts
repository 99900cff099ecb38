import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { noLiveSession, notHost, overLimit } from '../domain/errors.js';
import { isHost, type MemberStanding } from '../domain/hosts.js';
import type { Session } from '../domain/session/session.js';
import type { GuildSettings } from '../domain/settings.js';
import type { Services } from '../services.js';
import type { Preconditions, Scope } from './command.js';

function applies(scope: Scope | undefined, subcommand: string | null) {
  return typeof scope === 'object' ? subcommand !== null && scope.includes(subcommand) : scope === true;
}

function memberStanding(interaction: Interaction): MemberStanding {
  // An array when the member is not cached.
  const roles = interaction.member?.roles ?? [];
  return {
    roleIds: Array.isArray(roles) ? roles : [...roles.cache.keys()],
    hasManageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  };
}

export async function decide(
  spec: Preconditions | undefined,
  interaction: Interaction,
  subcommand: string | null,
  bucket: string,
  services: Services,
): Promise<{ settings: GuildSettings; session?: Session }> {
  const guildId = interaction.guildId ?? '';
  const hostOnly = applies(spec?.hostOnly, subcommand);
  const needsSession = applies(spec?.liveSession, subcommand);
  const limit = spec?.rateLimit;
  const limited = limit && applies(limit.subcommands ?? true, subcommand);
  const take = () => (limited ? services.rateLimits.take(guildId, interaction.user.id, bucket, limit) : undefined);
  // A host-only command takes from the rate limit only once the member is known to be a host.
  const [settings, session, counted] = await Promise.all([
    services.settings.get(guildId),
    needsSession || applies(spec?.readsSession, subcommand) ? services.live.current(guildId) : undefined,
    hostOnly ? undefined : take(),
  ]);
  if (hostOnly && !isHost(memberStanding(interaction), settings.hostRoleId)) throw notHost(settings.hostRoleId);
  if (needsSession && !session) throw noLiveSession();
  const use = hostOnly ? await take() : counted;
  if (limit && use && !use.allowed) throw overLimit(limit, use.retryAfterMs);
  return { settings, session };
}
