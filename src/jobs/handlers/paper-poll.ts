import { UnrecoverableError } from 'bullmq';
import { DiscordAPIError } from 'discord.js';
import { pollHours } from '../../domain/papers/poll.js';
import { onTime } from '../../domain/schedule/plan.js';
import { isUnknownMessage } from '../../discord/messages.js';
import { pollMessage, pollResult } from '../../discord/render/poll.js';
import type { Logger } from '../../logger.js';
import type { PollService } from '../../papers/poll-service.js';
import { retryIfJustAdded, type JobHandlers } from '../contract.js';
import { postOnce } from './post-once.js';
import type { SessionBoardDeps } from './session-board.js';

export interface PollDeps extends SessionBoardDeps {
  logger: Logger;
  polls: PollService;
}

const MISSING_PERMISSIONS = 50013;

class NotFinalYet extends Error {
  override name = 'NotFinalYet';
}

export function pollHandlers(
  deps: PollDeps,
): Pick<JobHandlers, 'poll.post' | 'poll.close' | 'schedule.poll' | 'announce.note'> {
  /** The server's poll if it is still `pollId`. */
  const pollOf = async (guildId: string, pollId: string) => {
    const poll = await deps.polls.current(guildId);
    return poll?.id === pollId ? poll : undefined;
  };

  /** Reads the final counts (ending the poll if it is still open), applies them, says so once, lets the poll go. */
  const closePoll = async (guildId: string, pollId: string, jobId: string) => {
    const poll = await pollOf(guildId, pollId);
    if (!poll) return;
    if (!poll.messageId) throw new Error('the poll is not posted yet');
    let message;
    try {
      message = await deps.messages.get(poll.channelId, poll.messageId);
    } catch (error) {
      if (!isUnknownMessage(error)) throw error;
      deps.logger.info({ guildId, pollId }, 'the poll was deleted before it closed; the queue is left as it is');
      await deps.polls.clear(guildId, pollId);
      return;
    }
    if (!message.poll?.results?.is_finalized) {
      // Ended by Discord already, or ended here now; either way the counts are final a moment later.
      if (Date.parse(message.poll?.expiry ?? '') > deps.now())
        await deps.messages.expirePoll(poll.channelId, poll.messageId);
      throw new NotFinalYet('the poll counts are not final yet');
    }
    const counts = new Map(message.poll.results.answer_counts.map((c) => [c.id, c.count]));
    const { order, ranked } = await deps.polls.apply(guildId, poll, counts);
    const settings = await deps.settings.get(guildId);
    if (settings.announceChannelId)
      await postOnce(
        deps,
        guildId,
        `poll-result:${pollId}`,
        jobId,
        settings.announceChannelId,
        pollResult(ranked, order, poll.leftOff),
      );
    await deps.polls.clear(guildId, pollId);
  };

  return {
    'poll.post': async ({ guildId, pollId }, job) => {
      const poll = await pollOf(guildId, pollId);
      if (!poll) return retryIfJustAdded(job, `poll ${pollId}`);
      if (poll.messageId) return;
      try {
        const message = await postOnce(deps, guildId, `poll:${pollId}`, job.id, poll.channelId, pollMessage(poll));
        await deps.polls.setMessage(guildId, pollId, message.id);
      } catch (error) {
        if (!(error instanceof DiscordAPIError && error.code === MISSING_PERMISSIONS)) throw error;
        // Send Polls was taken away after /setup checked it: no poll this time, and no retry that cannot succeed.
        await deps.polls.clear(guildId, pollId);
        deps.logger.warn({ guildId, pollId }, 'poll not posted: the bot lacks Send Polls in the announce channel');
        throw new UnrecoverableError('missing Send Polls');
      }
    },

    'poll.close': async ({ guildId, pollId }, job) => {
      try {
        await closePoll(guildId, pollId, job.id);
      } catch (error) {
        const refused =
          error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429;
        if (!refused && !job.finalAttempt) throw error;
        // Given up (the message or channel gone, access lost, counts never final): the poll is let go, so that
        // another can open; its message keeps Discord's own result for members to see.
        deps.logger.warn({ err: error, guildId, pollId }, 'poll result not read: the poll is let go, the queue kept');
        await deps.polls.clear(guildId, pollId);
        throw new UnrecoverableError('poll result not read');
      }
    },

    'schedule.poll': async ({ guildId, start, at, closesAt, generation }, job) => {
      const occurrence = await deps.schedules.occurrence(guildId, start);
      if (!occurrence || occurrence.status !== 'open' || occurrence.generation !== generation) return;
      const now = deps.now();
      if (!onTime(at, now) || closesAt <= now) {
        deps.logger.warn({ guildId, jobId: job.id }, 'scheduled poll dropped: too late (the bot was down)');
        return;
      }
      const { announceChannelId } = await deps.settings.get(guildId);
      if (!announceChannelId) return;
      const started = await deps.polls.start(guildId, {
        id: `s${start}`,
        channelId: announceChannelId,
        closesAt,
        hours: pollHours(now, closesAt),
        now,
      });
      if (started.outcome !== 'started')
        deps.logger.info({ guildId, outcome: started.outcome }, 'no scheduled poll this week');
    },

    'announce.note': async ({ guildId, noteId, content, pingRoleId }, job) => {
      const { announceChannelId } = await deps.settings.get(guildId);
      if (!announceChannelId) return;
      await postOnce(deps, guildId, `note:${noteId}`, job.id, announceChannelId, {
        content,
        allowed_mentions: { parse: [], roles: pingRoleId ? [pingRoleId] : [] },
      });
    },
  };
}
