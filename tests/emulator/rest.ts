import {
  ChannelType,
  GatewayIntentBits,
  PermissionFlagsBits,
  type APIGuildScheduledEvent,
  type APIMessage,
  type APIStageInstance,
  type GatewayVoiceState,
} from 'discord-api-types/v10';
import type { Emulator } from './emulator.js';
import type { UploadedFile } from './http.js';
import { apiChannel, apiMember } from './payloads.js';
import type { Refusal } from './rate-limits.js';
import { checkCallback, checkMessageLimits, checkSchema, schemas, type Problem } from './validate.js';
import type { WorldGuild } from './world.js';
import { snowflake as snowflakeId } from './snowflake.js';

export interface RestRequest {
  method: string;
  /** performance.now() when the request reached the emulator, before its body was read or checked. */
  receivedAt: number;
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  files: UploadedFile[];
}

export interface RestReply {
  status: number;
  body?: unknown;
  problems?: Problem[];
  /** Set when the emulator's rate limits refused the request. */
  refusal?: Refusal;
}

type Handler = (req: RestRequest) => RestReply | Promise<RestReply>;

const ok = (body?: unknown): RestReply => (body === undefined ? { status: 204 } : { status: 200, body });
const fail = (status: number, code: number, message: string): RestReply => ({ status, body: { code, message } });
const invalid = (problems: Problem[]): RestReply => ({ status: 400, problems });
const S = '(\\d{17,20})';
const TOKEN = '([^/]+)';

/** Discord's REST API, as much of it as Lectern uses, over the emulator's world. */
export function restRoutes(emu: Emulator): Array<{ method: string; pattern: RegExp; auth: boolean; handler: Handler }> {
  const { world } = emu;
  const route = (method: string, path: string, handler: Handler, auth = true) => ({
    method,
    pattern: new RegExp(`^${path}$`),
    auth,
    handler,
  });
  const guildOf = (id: string): WorldGuild | undefined => world.guilds.get(id);

  const createMessage = (
    channelId: string,
    req: RestRequest,
    via: 'channel' | 'interaction' | 'webhook',
    extra: Partial<APIMessage> = {},
  ): RestReply => {
    const channel = world.channels.get(channelId);
    if (!channel) return fail(404, 10003, 'Unknown Channel');
    const guild = channel.guildId ? guildOf(channel.guildId) : undefined;
    if (via === 'channel' && guild) {
      const perms = world.permissions(guild, world.bot.id, channelId);
      const send =
        channel.type === ChannelType.PublicThread
          ? PermissionFlagsBits.SendMessagesInThreads
          : PermissionFlagsBits.SendMessages;
      const needed = [
        PermissionFlagsBits.ViewChannel,
        send,
        ...(req.files.length > 0 ? [PermissionFlagsBits.AttachFiles] : []),
        ...(req.body.poll ? [PermissionFlagsBits.SendPolls] : []),
      ];
      if (needed.some((bit) => (perms & bit) === 0n)) return fail(403, 50013, 'Missing Permissions');
    }
    if (channel.type === ChannelType.DM && world.dmClosed.has(channel.recipientId!))
      return fail(403, 50007, 'Cannot send messages to this user');
    const nonce = req.body.nonce as string | undefined;
    if (nonce && req.body.enforce_nonce) {
      const existing = emu.nonces.get(`${channelId}:${nonce}`);
      if (existing) return ok(world.messages.get(channelId)!.get(existing));
    }
    const message = emu.storeMessage(channelId, req.body, req.files, via, extra);
    if (nonce) emu.nonces.set(`${channelId}:${nonce}`, message.id);
    return ok(message);
  };

  const interactionByToken = (token: string) => emu.interactionsByToken.get(token);

  return [
    route('GET', '/gateway/bot', () =>
      ok({
        url: emu.gatewayUrl,
        shards: emu.shardCount,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      }),
    ),
    route('GET', '/users/@me', () => ok(world.bot)),
    route('GET', `/users/${S}`, ({ params }) =>
      world.users.has(params[0]!) ? ok(world.users.get(params[0]!)) : fail(404, 10013, 'Unknown User'),
    ),

    route('PUT', `/applications/${S}/commands`, ({ body }) => emu.registerCommands(null, body)),
    route('PUT', `/applications/${S}/guilds/${S}/commands`, ({ params, body }) =>
      emu.registerCommands(params[1]!, body),
    ),
    route('GET', `/applications/${S}/commands`, () => ok(emu.commands.get('global') ?? [])),

    route(
      'POST',
      `/interactions/${S}/${TOKEN}/callback`,
      ({ params, body, files, query, receivedAt }) => {
        const record = interactionByToken(params[1]!);
        if (!record || record.id !== params[0]) return fail(404, 10062, 'Unknown interaction');
        if (record.callback) return fail(400, 40060, 'Interaction has already been acknowledged.');
        const late = receivedAt - record.sentAt;
        if (late > 3_000) {
          emu.violations.push({
            method: 'POST',
            path: `/interactions/${record.id}/callback`,
            problems: [{ path: '', message: `first response after ${Math.round(late)} ms (limit 3000)` }],
          });
          return fail(404, 10062, 'Unknown interaction');
        }
        const problems = checkCallback(body);
        if (problems.length > 0) return invalid(problems);
        record.callback = { type: body.type as number, data: body.data, at: receivedAt };
        const data = (body.data ?? {}) as Record<string, unknown>;
        const channelId = record.payload.channel?.id ?? '';
        const type = body.type as number;
        if (type === 4 || type === 5) {
          const message = emu.storeMessage(
            channelId,
            type === 5 ? { flags: data.flags, content: '' } : data,
            files,
            'interaction',
            {
              webhook_id: world.applicationId,
              interaction_metadata: {
                id: record.id,
                type: record.payload.type,
                user: record.payload.member?.user ?? record.payload.user,
                authorizing_integration_owners: {},
              } as APIMessage['interaction_metadata'],
            },
          );
          record.originalId = message.id;
          record.originalEdited = type === 4;
          if (type === 4) record.markAnswered();
        } else if (type === 6 || type === 7) {
          const messageId = (record.payload as { message?: { id: string } }).message?.id ?? '';
          record.originalId = messageId;
          if (type === 7) {
            emu.editMessage(record.payload.channel!.id, messageId, data, files, 'interaction');
            record.originalEdited = true;
            record.markAnswered();
          }
        } else {
          record.markAnswered();
        }
        const response = {
          interaction: { id: record.id, type: record.payload.type },
          resource: { type: body.type, message: record.originalId ? emu.findMessage(record.originalId) : undefined },
        };
        return query.get('with_response') === 'true' ? ok(response) : ok();
      },
      false,
    ),

    route(
      'PATCH',
      `/webhooks/${S}/${TOKEN}/messages/([^/]+)`,
      ({ params, body, files }) => {
        const record = interactionByToken(params[1]!);
        if (!record?.callback) return fail(404, 10015, 'Unknown Webhook');
        const problems = [...checkSchema(schemas.webhookEdit, body), ...checkMessageLimits(body)];
        if (problems.length > 0) return invalid(problems);
        const id = params[2] === '@original' ? record.originalId! : params[2]!;
        const message = emu.editMessage(record.payload.channel!.id, id, body, files, 'webhook');
        if (!message) return fail(404, 10008, 'Unknown Message');
        if (id === record.originalId) {
          record.originalEdited = true;
          record.markAnswered();
        }
        return ok(message);
      },
      false,
    ),
    route(
      'GET',
      `/webhooks/${S}/${TOKEN}/messages/([^/]+)`,
      ({ params }) => {
        const record = interactionByToken(params[1]!);
        const message = record && emu.findMessage(params[2] === '@original' ? (record.originalId ?? '') : params[2]!);
        return message ? ok(message) : fail(404, 10008, 'Unknown Message');
      },
      false,
    ),
    route(
      'DELETE',
      `/webhooks/${S}/${TOKEN}/messages/([^/]+)`,
      ({ params }) => {
        const record = interactionByToken(params[1]!);
        const id = params[2] === '@original' ? record?.originalId : params[2];
        return id && emu.deleteMessage(id) ? ok() : fail(404, 10008, 'Unknown Message');
      },
      false,
    ),
    route(
      'POST',
      `/webhooks/${S}/${TOKEN}`,
      ({ params, body, files }) => {
        const record = interactionByToken(params[1]!);
        if (!record?.callback) return fail(404, 10015, 'Unknown Webhook');
        const problems = [...checkSchema(schemas.webhookExecute, body), ...checkMessageLimits(body)];
        if (problems.length > 0) return invalid(problems);
        if (record.callback.type === 5 && !record.originalEdited) {
          // Discord: after a defer, the first follow-up fills the "thinking" message.
          const message = emu.editMessage(record.payload.channel!.id, record.originalId!, body, files, 'webhook');
          record.originalEdited = true;
          record.markAnswered();
          return ok(message);
        }
        const reply = createMessage(record.payload.channel!.id, { body, files } as unknown as RestRequest, 'webhook', {
          webhook_id: world.applicationId,
        });
        const message = reply.body as APIMessage;
        record.followupIds.push(message.id);
        record.markAnswered();
        return reply;
      },
      false,
    ),

    route('GET', `/channels/${S}`, ({ params }) => {
      const channel = world.channels.get(params[0]!);
      return channel ? ok(apiChannel(world, channel)) : fail(404, 10003, 'Unknown Channel');
    }),
    route('PATCH', `/channels/${S}`, ({ params, body }) => {
      const channel = world.channels.get(params[0]!);
      const guild = channel?.guildId ? guildOf(channel.guildId) : undefined;
      if (!channel || !guild) return fail(404, 10003, 'Unknown Channel');
      const thread = channel.type === ChannelType.PublicThread;
      const needed = thread ? PermissionFlagsBits.ManageThreads : PermissionFlagsBits.ManageChannels;
      // The bot may rename its own threads; anything else needs the permission.
      if (!thread && (world.permissions(guild, world.bot.id, channel.id) & needed) === 0n)
        return fail(403, 50013, 'Missing Permissions');
      const problems: Problem[] = thread ? checkSchema(schemas.threadUpdate, body) : [];
      if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100))
        problems.push({ path: 'name', message: 'name must be 1 to 100 characters' });
      if (
        body.topic !== undefined &&
        body.topic !== null &&
        (typeof body.topic !== 'string' || body.topic.length > 1024)
      )
        problems.push({ path: 'topic', message: 'topic must be at most 1024 characters' });
      if (body.applied_tags !== undefined) {
        const forum = channel.parentId ? world.channels.get(channel.parentId) : undefined;
        const tags = body.applied_tags as unknown;
        if (!thread || forum?.type !== ChannelType.GuildForum)
          problems.push({ path: 'applied_tags', message: 'only a forum post has tags' });
        else if (
          !Array.isArray(tags) ||
          tags.length > 5 ||
          tags.some((tag) => !forum.availableTags?.some((t) => t.id === tag))
        )
          problems.push({ path: 'applied_tags', message: 'at most 5 of the forum’s own tags' });
      }
      if (problems.length > 0) return invalid(problems);
      if (Array.isArray(body.applied_tags)) channel.appliedTags = body.applied_tags as string[];
      if (typeof body.name === 'string') channel.name = body.name;
      if (body.topic !== undefined) channel.topic = body.topic as string | null;
      const payload = apiChannel(world, channel);
      emu.gateway.dispatch(guild.id, thread ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', payload, GatewayIntentBits.Guilds);
      return ok(payload);
    }),
    route('POST', `/channels/${S}/messages`, (req) => {
      const problems = [...checkSchema(schemas.messageCreate, req.body), ...checkMessageLimits(req.body)];
      return problems.length > 0 ? invalid(problems) : createMessage(req.params[0]!, req, 'channel');
    }),
    route('GET', `/channels/${S}/messages/${S}`, ({ params }) => {
      const message = world.messages.get(params[0]!)?.get(params[1]!);
      return message ? ok(emu.polls.refresh(message)) : fail(404, 10008, 'Unknown Message');
    }),
    route('POST', `/channels/${S}/polls/${S}/expire`, ({ params }) => emu.polls.expire(params[0]!, params[1]!)),
    route('GET', `/channels/${S}/polls/${S}/answers/(\\d+)`, ({ params, query }) =>
      emu.polls.voters(params[0]!, params[1]!, Number(params[2]), query),
    ),
    route('PATCH', `/channels/${S}/messages/${S}`, ({ params, body, files }) => {
      const problems = [...checkSchema(schemas.messageEdit, body), ...checkMessageLimits(body)];
      if (problems.length > 0) return invalid(problems);
      const message = emu.editMessage(params[0]!, params[1]!, body, files, 'channel');
      return message ? ok(message) : fail(404, 10008, 'Unknown Message');
    }),
    route('DELETE', `/channels/${S}/messages/${S}`, ({ params }) =>
      emu.deleteMessage(params[1]!) ? ok() : fail(404, 10008, 'Unknown Message'),
    ),
    route('PUT', `/channels/${S}/messages/pins/${S}`, ({ params }) => emu.setPinned(params[0]!, params[1]!, true)),
    route('DELETE', `/channels/${S}/messages/pins/${S}`, ({ params }) => emu.setPinned(params[0]!, params[1]!, false)),
    route('POST', `/channels/${S}/threads`, (req) => {
      const forum = world.channels.get(req.params[0]!);
      const guild = forum?.guildId ? guildOf(forum.guildId) : undefined;
      if (!forum || !guild) return fail(404, 10003, 'Unknown Channel');
      if (forum.type !== ChannelType.GuildForum) return fail(400, 50024, 'Cannot execute action on this channel type');
      const problems = checkSchema(schemas.forumThread, req.body);
      const message = (req.body.message ?? {}) as Record<string, unknown>;
      problems.push(...checkMessageLimits(message, 'message.'));
      const tags = (req.body.applied_tags ?? []) as string[];
      if (tags.some((tag) => !forum.availableTags?.some((t) => t.id === tag)))
        problems.push({ path: 'applied_tags', message: 'unknown tag for this forum' });
      if (problems.length > 0) return invalid(problems);
      const perms = world.permissions(guild, world.bot.id, forum.id);
      if ([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages].some((bit) => (perms & bit) === 0n))
        return fail(403, 50013, 'Missing Permissions');
      // A forum post is a thread whose first message has the thread's id.
      const thread = world.addChannel({
        id: snowflakeId(),
        guildId: guild.id,
        type: ChannelType.PublicThread,
        name: String(req.body.name),
        parentId: forum.id,
        overwrites: [],
        appliedTags: tags,
      });
      const first = emu.storeMessage(thread.id, message, req.files, 'channel', {
        id: thread.id,
      } as Partial<APIMessage>);
      const payload = { ...apiChannel(world, thread), newly_created: true, message: first };
      emu.gateway.dispatch(guild.id, 'THREAD_CREATE', payload, GatewayIntentBits.Guilds);
      return { status: 201, body: payload };
    }),
    route('POST', `/channels/${S}/messages/${S}/threads`, ({ params, body }) => {
      const problems = checkSchema(schemas.threadFromMessage, body);
      if (problems.length > 0) return invalid(problems);
      const parent = world.channels.get(params[0]!);
      if (!parent?.guildId || !world.messages.get(parent.id)?.has(params[1]!))
        return fail(404, 10008, 'Unknown Message');
      const perms = world.permissions(guildOf(parent.guildId)!, world.bot.id, parent.id);
      if ((perms & PermissionFlagsBits.CreatePublicThreads) === 0n) return fail(403, 50013, 'Missing Permissions');
      if (world.channels.has(params[1]!))
        return fail(400, 160004, 'A thread has already been created for this message');
      const thread = world.addChannel({
        id: params[1]!,
        guildId: parent.guildId,
        type: ChannelType.PublicThread,
        name: String(body.name),
        parentId: parent.id,
        overwrites: [],
      });
      const payload = { ...apiChannel(world, thread), newly_created: true };
      emu.gateway.dispatch(parent.guildId, 'THREAD_CREATE', payload, GatewayIntentBits.Guilds);
      return { status: 201, body: payload };
    }),

    route('POST', '/users/@me/channels', ({ body }) => {
      const problems = checkSchema(schemas.dmCreate, body);
      if (problems.length > 0) return invalid(problems);
      return ok(apiChannel(world, emu.dmChannel(String(body.recipient_id))));
    }),

    route('GET', `/guilds/${S}`, ({ params }) => {
      const guild = guildOf(params[0]!);
      return guild
        ? ok({
            id: guild.id,
            name: guild.name,
            owner_id: guild.ownerId,
            roles: [...guild.roles.values()],
            emojis: [],
            features: [],
          })
        : fail(404, 10004, 'Unknown Guild');
    }),
    route('GET', `/guilds/${S}/channels`, ({ params }) =>
      ok([...(guildOf(params[0]!)?.channels.values() ?? [])].map((c) => apiChannel(world, c))),
    ),
    // Modify Current Member: only `nick` (1–32 characters, or null to clear), with Change Nickname.
    route('PATCH', `/guilds/${S}/members/@me`, ({ params, body }) => {
      const guild = guildOf(params[0]!);
      const member = guild?.members.get(world.bot.id);
      if (!guild || !member) return fail(404, 10004, 'Unknown Guild');
      const problems: Problem[] = Object.keys(body)
        .filter((key) => key !== 'nick')
        .map((key) => ({ path: key, message: 'is not a field of Modify Current Member' }));
      const nick = body.nick;
      if (nick !== undefined && nick !== null && (typeof nick !== 'string' || [...nick].length > 32 || nick === ''))
        problems.push({ path: 'nick', message: 'must be 1 to 32 characters, or null' });
      if (problems.length > 0) return invalid(problems);
      if (!(world.permissions(guild, world.bot.id) & PermissionFlagsBits.ChangeNickname))
        return fail(403, 50013, 'Missing Permissions');
      if (typeof nick === 'string') member.nick = nick;
      else if (nick === null) delete member.nick;
      const payload = { ...apiMember(member), guild_id: guild.id };
      emu.gateway.dispatch(guild.id, 'GUILD_MEMBER_UPDATE', payload, GatewayIntentBits.GuildMembers);
      return ok(apiMember(member));
    }),
    route('GET', `/guilds/${S}/members/${S}`, ({ params }) => {
      const member = guildOf(params[0]!)?.members.get(params[1]!);
      return member ? ok(apiMember(member)) : fail(404, 10007, 'Unknown Member');
    }),

    route('GET', `/guilds/${S}/scheduled-events`, ({ params }) =>
      ok([...(guildOf(params[0]!)?.scheduledEvents.values() ?? [])]),
    ),
    route('GET', `/guilds/${S}/scheduled-events/${S}`, ({ params }) => {
      const event = guildOf(params[0]!)?.scheduledEvents.get(params[1]!);
      return event ? ok(event) : fail(404, 10070, 'Unknown Guild Scheduled Event');
    }),
    route('POST', `/guilds/${S}/scheduled-events`, ({ params, body }) => emu.createScheduledEvent(params[0]!, body)),
    route('PATCH', `/guilds/${S}/scheduled-events/${S}`, ({ params, body }) =>
      emu.patchScheduledEvent(params[0]!, params[1]!, body),
    ),
    route('DELETE', `/guilds/${S}/scheduled-events/${S}`, ({ params }) => {
      const guild = guildOf(params[0]!);
      const event = guild?.scheduledEvents.get(params[1]!);
      if (!guild || !event) return fail(404, 10070, 'Unknown Guild Scheduled Event');
      guild.scheduledEvents.delete(event.id);
      emu.gateway.dispatch(guild.id, 'GUILD_SCHEDULED_EVENT_DELETE', event, GatewayIntentBits.GuildScheduledEvents);
      return ok();
    }),

    route('POST', '/stage-instances', ({ body }) => emu.upsertStageInstance(String(body.channel_id), body, true)),
    route('PATCH', `/stage-instances/${S}`, ({ params, body }) => emu.upsertStageInstance(params[0]!, body, false)),
    route('DELETE', `/stage-instances/${S}`, ({ params }) => {
      const channel = world.channels.get(params[0]!);
      const guild = channel?.guildId ? guildOf(channel.guildId) : undefined;
      const instance = guild?.stageInstances.get(params[0]!);
      if (!guild || !instance) return fail(404, 10067, 'Unknown Stage Instance');
      guild.stageInstances.delete(params[0]!);
      emu.gateway.dispatch(guild.id, 'STAGE_INSTANCE_DELETE', instance, GatewayIntentBits.Guilds);
      return ok();
    }),

    route('PATCH', `/guilds/${S}/voice-states/(@me|\\d{17,20})`, ({ params, body }) => {
      const self = params[1] === '@me';
      const problems = checkSchema(self ? schemas.selfVoiceStateUpdate : schemas.voiceStateUpdate, body);
      if (problems.length > 0) return invalid(problems);
      return emu.updateVoiceState(params[0]!, self ? world.bot.id : params[1]!, body);
    }),
  ];
}

export type { APIGuildScheduledEvent, APIStageInstance, GatewayVoiceState };
