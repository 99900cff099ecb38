import {
  ApplicationCommandOptionType as OptionType,
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

// Building a zod schema costs far more than running it.
const schemas = new WeakMap<Definition, z.ZodType>();
function schemaFor(definition: Definition) {
  let schema = schemas.get(definition);
  if (!schema) schemas.set(definition, (schema = buildSchema(definition)));
  return schema;
}

function buildSchema(definition: Definition): z.ZodType {
  const choices = definition.choices?.map((c) => c.value);
  const oneOf = (schema: z.ZodType<string | number>) =>
    choices ? schema.refine((v) => choices.includes(v), 'is not one of its choices') : schema;
  switch (definition.type) {
    case OptionType.String:
      // Handlers word their own length limits.
      return oneOf(z.string().max(100_000));
    case OptionType.Integer:
    case OptionType.Number:
      return oneOf(
        (definition.type === OptionType.Integer ? z.number().int() : z.number())
          .min(definition.min_value ?? -(2 ** 53))
          .max(definition.max_value ?? 2 ** 53),
      );
    case OptionType.Boolean:
      return z.boolean();
    default:
      return z.string().regex(/^\d{17,20}$/);
  }
}

const changed = () => new UserError('option-invalid', 'That command has changed; run it again.');

/** Discord enforces these: a failure means a forged or malformed interaction. */
export function checkOptions(data: RESTPostAPIApplicationCommandsJSONBody, given: readonly CommandInteractionOption[]) {
  let definitions = ('options' in data ? (data.options ?? []) : []) as Definition[];
  let values = given;
  const sub = given.find((o) => o.type === OptionType.Subcommand || o.type === OptionType.SubcommandGroup);
  if (sub) {
    const definition = definitions.find((d) => d.name === sub.name);
    if (!definition) throw changed();
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
    } else if (!schemaFor(definition).safeParse(option.value).success || option.type !== definition.type) {
      throw new UserError(
        'option-invalid',
        `The \`${definition.name}\` option is not valid for this command; pick it from Discord's form and try again.`,
      );
    }
  }
  if (values.some((o) => !definitions.some((d) => d.name === o.name))) throw changed();
}
