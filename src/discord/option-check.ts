import {
  ApplicationCommandOptionType,
  type APIApplicationCommandOption,
  type CommandInteractionOption,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { z } from 'zod';
import { UserError } from '../domain/errors.js';

type Definition = APIApplicationCommandOption & {
  required?: boolean;
  choices?: Array<{ value: string | number }>;
  min_value?: number;
  max_value?: number;
};

/** Built once per option definition: building a zod schema costs far more than running it. */
const schemas = new WeakMap<Definition, z.ZodType>();
function schemaFor(definition: Definition): z.ZodType {
  let schema = schemas.get(definition);
  if (!schema) schemas.set(definition, (schema = buildSchema(definition)));
  return schema;
}

/**
 * The zod schema of one option's value, from the command's own definition:
 * what Discord promises to enforce, checked again.
 */
function buildSchema(definition: Definition): z.ZodType {
  const choices = definition.choices?.map((c) => c.value);
  switch (definition.type) {
    case ApplicationCommandOptionType.String: {
      // Lengths are left to the handlers, which say in their own words what fits (requireText and co.).
      const text = z.string().max(100_000);
      if (choices) return text.refine((v) => choices.includes(v), 'is not one of its choices');
      return text;
    }
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const number = (definition.type === ApplicationCommandOptionType.Integer ? z.number().int() : z.number())
        .min(definition.min_value ?? -(2 ** 53))
        .max(definition.max_value ?? 2 ** 53);
      if (choices) return number.refine((v) => choices.includes(v), 'is not one of its choices');
      return number;
    }
    case ApplicationCommandOptionType.Boolean:
      return z.boolean();
    default:
      // Users, channels, roles, mentionables, attachments: snowflakes Discord resolved.
      return z.string().regex(/^\d{17,20}$/);
  }
}

/**
 * Checks every option of a command interaction against the command's own
 * definition (type, choices, ranges, required) before a handler sees
 * it. Discord enforces these, so a failure means a malformed or forged
 * interaction; it is refused like any bad input, naming the option.
 */
export function checkOptions(
  data: RESTPostAPIApplicationCommandsJSONBody,
  given: readonly CommandInteractionOption[],
): void {
  let definitions = ('options' in data ? (data.options ?? []) : []) as Definition[];
  let values = given;
  const sub = given.find(
    (o) =>
      o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup,
  );
  if (sub) {
    const definition = definitions.find((d) => d.name === sub.name);
    if (!definition) throw new UserError('option-invalid', 'That command has changed; run it again.');
    definitions = (definition as { options?: Definition[] }).options ?? [];
    values = sub.options ?? [];
  }
  for (const definition of definitions) {
    const option = values.find((o) => o.name === definition.name);
    if (!option) {
      if (definition.required)
        throw new UserError(
          'option-missing',
          `The \`${definition.name}\` option is required; run the command again with it.`,
        );
      continue;
    }
    if (!schemaFor(definition).safeParse(option.value).success || option.type !== definition.type) {
      throw new UserError(
        'option-invalid',
        `The \`${definition.name}\` option is not valid for this command; pick it from Discord's form and try again.`,
      );
    }
  }
  const unknown = values.find((o) => !definitions.some((d) => d.name === o.name));
  if (unknown) throw new UserError('option-invalid', 'That command has changed; run it again.');
}
