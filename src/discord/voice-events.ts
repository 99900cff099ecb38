import type { VoiceState } from 'discord.js';
import type { Services } from '../services.js';

export async function onVoiceStateUpdate(services: Services, before: VoiceState, after: VoiceState) {
  const guildId = after.guild.id;
  const raisedHand = after.requestToSpeakTimestamp !== null && before.requestToSpeakTimestamp === null;
  // Mute, suppress and the like change nothing Lectern keeps.
  if ((before.channelId === after.channelId && !raisedHand) || after.member?.user.bot) return;
  const [{ stageChannelId: stage }, session] = await Promise.all([
    services.settings.get(guildId),
    services.live.current(guildId),
  ]);
  const wasIn = before.channelId === stage;
  const isIn = after.channelId === stage;
  if (!stage || !session || (!wasIn && !isIn)) return;
  const userId = after.id;
  const at = services.now();
  if (wasIn !== isIn)
    await services.live.log(guildId, session.id, { type: isIn ? 'member.joined' : 'member.left', userId, at });
  if (isIn && raisedHand) {
    const { outcome } = await services.speakers.raise(guildId, session.id, userId, undefined, 'stage', at);
    if (outcome === 'raised') await services.live.boardChanged(guildId, session.id);
  }
}
