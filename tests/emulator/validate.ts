import * as spec from 'discord-api-spec/zod';

/** One reason a request body would be refused by Discord. */
export interface Problem {
  path: string;
  message: string;
}

type Schema = {
  safeParse(v: unknown): {
    success: boolean;
    error?: { issues: Array<{ path: PropertyKey[]; message: string; code: string }> };
  };
  _zod: { def: { shape?: Record<string, unknown> } };
};

/** The Discord request schema for each kind of body the bot sends. */
export const schemas = {
  messageCreate: spec.MessageCreateRequestSchema,
  messageEdit: spec.MessageEditRequestPartialSchema,
  webhookExecute: spec.IncomingWebhookRequestPartialSchema,
  webhookEdit: spec.IncomingWebhookUpdateRequestPartialSchema,
  commandCreate: spec.ApplicationCommandCreateRequestSchema,
  dmCreate: spec.CreatePrivateChannelRequestSchema,
  voiceStateUpdate: spec.UpdateVoiceStateRequestPartialSchema,
  selfVoiceStateUpdate: spec.UpdateSelfVoiceStateRequestPartialSchema,
  threadFromMessage: spec.CreateTextThreadWithMessageRequestSchema,
  forumThread: spec.CreateForumThreadRequestSchema,
  threadUpdate: spec.UpdateThreadRequestPartialSchema,
  stageEventCreate: spec.StageScheduledEventCreateRequestSchema,
  voiceEventCreate: spec.VoiceScheduledEventCreateRequestSchema,
  stageEventPatch: spec.StageScheduledEventPatchRequestPartialSchema,
  voiceEventPatch: spec.VoiceScheduledEventPatchRequestPartialSchema,
} as const satisfies Record<string, Schema>;

const callbackSchemas: Record<number, Schema> = {
  4: spec.CreateMessageInteractionCallbackRequestSchema,
  5: spec.CreateMessageInteractionCallbackRequestSchema,
  6: spec.UpdateMessageInteractionCallbackRequestSchema,
  7: spec.UpdateMessageInteractionCallbackRequestSchema,
  8: spec.ApplicationCommandAutocompleteCallbackRequestSchema,
  9: spec.ModalInteractionCallbackRequestSchema,
};

// Permission fields: Discord's OpenAPI spec says integer, Discord and discord.js send digit strings.
function normalizePermissions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizePermissions);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        (k === 'default_member_permissions' || k === 'permissions') && typeof v === 'string' && /^\d+$/.test(v)
          ? Number(v)
          : normalizePermissions(v),
      ]),
    );
  }
  return value;
}

const shapeKeys = (schema: Schema) => Object.keys(schema._zod.def.shape ?? {});

/**
 * Every field some message endpoint accepts. discord.js sends the same set to
 * each (e.g. `tts` to a webhook edit), and Discord ignores the ones an endpoint
 * does not use; a key outside this set is a typo such as `embed`.
 */
const MESSAGE_FIELDS = new Set(
  [schemas.messageCreate, schemas.messageEdit, schemas.webhookExecute, schemas.webhookEdit].flatMap(shapeKeys),
);
const MESSAGE_SCHEMAS = new Set<Schema>([
  schemas.messageCreate,
  schemas.messageEdit,
  schemas.webhookExecute,
  schemas.webhookEdit,
]);

/** Checks a body against a spec schema; message bodies also get the unknown-field check the spec cannot do. */
export function checkSchema(schema: Schema, body: unknown): Problem[] {
  const result = schema.safeParse(normalizePermissions(body));
  const problems: Problem[] = (result.error?.issues ?? []).map((i) => ({
    path: i.path.join('.'),
    message: `${i.code}: ${i.message}`,
  }));
  if (MESSAGE_SCHEMAS.has(schema) && body && typeof body === 'object' && !Array.isArray(body)) {
    for (const key of Object.keys(body))
      if (!MESSAGE_FIELDS.has(key)) problems.push({ path: key, message: 'unknown field' });
  }
  return problems;
}

export function checkCallback(body: { type?: unknown; data?: unknown }): Problem[] {
  const schema = typeof body.type === 'number' ? callbackSchemas[body.type] : undefined;
  if (!schema) return [{ path: 'type', message: `unsupported interaction callback type ${String(body.type)}` }];
  const problems = checkSchema(schema, body);
  if (body.type === 8) {
    const choices = (body.data as { choices?: unknown[] } | undefined)?.choices ?? [];
    if (choices.length > 25) problems.push({ path: 'data.choices', message: 'at most 25 autocomplete choices' });
  } else if (body.type === 9) {
    const title = (body.data as { title?: string } | undefined)?.title ?? '';
    if (title.length > 45) problems.push({ path: 'data.title', message: 'modal title over 45 characters' });
  } else if (body.data && typeof body.data === 'object') {
    for (const key of Object.keys(body.data))
      if (!MESSAGE_FIELDS.has(key)) problems.push({ path: `data.${key}`, message: 'unknown field' });
    problems.push(...checkMessageLimits(body.data, 'data.'));
  }
  return problems;
}

interface EmbedLike {
  title?: string;
  description?: string;
  url?: string;
  fields?: Array<{ name?: string; value?: string }>;
  footer?: { text?: string };
  author?: { name?: string };
}

const len = (s: string | undefined) => s?.length ?? 0;

/** The documented limits Discord enforces that its OpenAPI spec leaves out (see FACTS.md). */
export function checkMessageLimits(body: unknown, prefix = ''): Problem[] {
  const problems: Problem[] = [];
  if (!body || typeof body !== 'object') return problems;
  const message = body as {
    content?: string;
    embeds?: EmbedLike[];
    components?: Array<{ type: number; components?: Array<{ type: number; custom_id?: string }> }>;
    embed?: unknown;
    poll?: { question?: { text?: string }; answers?: Array<{ poll_media?: { text?: string } }> };
    flags?: number;
  };
  const at = (path: string, text: string) => problems.push({ path: prefix + path, message: text });
  if (len(message.content) > 2000) at('content', `content is ${len(message.content)} characters; bots may send 2000`);
  if ('embed' in message) at('embed', 'unknown field "embed" (did you mean "embeds"?)');
  const embeds = message.embeds ?? [];
  if (embeds.length > 10) at('embeds', 'at most 10 embeds');
  let total = 0;
  embeds.forEach((e, i) => {
    const check = (path: string, value: string | undefined, max: number) => {
      total += len(value);
      if (len(value) > max) at(`embeds.${i}.${path}`, `${path} is ${len(value)} characters; the limit is ${max}`);
    };
    check('title', e.title, 256);
    check('description', e.description, 4096);
    check('footer.text', e.footer?.text, 2048);
    check('author.name', e.author?.name, 256);
    if ((e.fields?.length ?? 0) > 25) at(`embeds.${i}.fields`, 'at most 25 fields');
    e.fields?.forEach((f, j) => {
      check(`fields.${j}.name`, f.name, 256);
      check(`fields.${j}.value`, f.value, 1024);
    });
  });
  if (total > 6000) at('embeds', `embeds hold ${total} characters together; the limit is 6000`);
  message.components?.forEach((row, i) => {
    const buttons = row.components?.filter((c) => c.type === 2) ?? [];
    if (buttons.length > 5) at(`components.${i}`, 'at most 5 buttons in a row');
    row.components?.forEach((c, j) => {
      if (c.custom_id !== undefined && (c.custom_id.length < 1 || c.custom_id.length > 100))
        at(`components.${i}.components.${j}.custom_id`, 'custom_id must be 1 to 100 characters');
    });
  });
  if (message.poll) {
    // Documented: a question of up to 300 characters, answers of up to 55; the spec allows 300 for both.
    if (len(message.poll.question?.text) > 300) at('poll.question.text', 'the question is at most 300 characters');
    message.poll.answers?.forEach((answer, i) => {
      if (len(answer.poll_media?.text) > 55)
        at(
          `poll.answers.${i}.poll_media.text`,
          `answer is ${len(answer.poll_media?.text)} characters; the limit is 55`,
        );
    });
    if (((message.flags ?? 0) & (1 << 15)) !== 0) at('poll', 'a poll cannot be sent with Components V2');
  }
  return problems;
}

/** Discord's 400 body for an invalid form. */
export function invalidFormBody(problems: Problem[]): {
  code: 50035;
  message: string;
  errors: Record<string, unknown>;
} {
  const errors: Record<string, unknown> = {};
  for (const p of problems)
    errors[p.path || '_root'] = { _errors: [{ code: 'BASE_TYPE_INVALID', message: p.message }] };
  return { code: 50035, message: 'Invalid Form Body', errors };
}
