import type { VoiceState } from 'discord.js';
import type { Services } from '../services.js';

/**
 * Every voice change goes to the voice presence mirror. In the session
 * channel during a live session, joins and leaves also go on the timeline,
 * and a hand raised with Discord's own Stage button joins the same queue as
 * /speak.
 */
export async function onVoiceStateUpdate(services: Services, before: VoiceState, after: VoiceState): Promise<void> {
  const guildId = after.guild.id;
  // Sent before any await, so the mirror's writes keep the order of the updates.
  const mirrored = services.presence.moved(guildId, after.id, after.channelId);
  const [settings, session] = await Promise.all([
    services.settings.get(guildId),
    services.sessions.current(guildId),
    mirrored,
  ]);
  const stage = settings.stageChannelId;
  if (!stage || !session || after.member?.user.bot) return;
  const userId = after.id;
  const at = services.now();
  const wasIn = before.channelId === stage;
  const isIn = after.channelId === stage;
  if (!wasIn && isIn) await services.sessions.log(guildId, session.id, { type: 'member.joined', userId, at });
  if (wasIn && !isIn) await services.sessions.log(guildId, session.id, { type: 'member.left', userId, at });
  if (isIn && after.requestToSpeakTimestamp !== null && before.requestToSpeakTimestamp === null) {
    const { outcome } = await services.sessions.raiseHand(guildId, session.id, userId, undefined, 'stage', at);
    if (outcome === 'raised') await services.live.boardChanged(guildId, session.id);
  }
}
