import {
  ApplicationCommandOptionType,
  type APIApplicationCommandOption,
  type ChannelType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';

/** What the emulator puts in an option's `value`. */
export type OptionValue = string | number | boolean;

/** A small deterministic PRNG (mulberry32): the same seed gives the same run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof rng>;

export const HOSTILE = [
  '',
  ' ',
  '\u200b\u200b',
  '\u202e reversed',
  '@everyone',
  '@here',
  '<@&1>',
  '<@123456789012345678>',
  '<#123456789012345678>',
  '**'.repeat(500),
  '`'.repeat(300),
  '> '.repeat(200),
  '[click](https://evil.example/)',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'http://127.0.0.1:6379/',
  'https://169.254.169.254/latest/meta-data/',
  'https://[::1]/',
  'https://localhost/',
  'x'.repeat(10_000),
  '2408.03314',
  'https://arxiv.org/abs/2408.03314',
  '2999.99999',
  'hep-th/9901001',
  '<t:0:R>',
  '||spoiler||',
  '\n\n\n',
  '💥'.repeat(100),
  '2024-02-30',
  '2026-12-24',
  '25:99',
  '12:00',
  'PST',
  '+2',
  'Europe/Berlin',
  '24h,1h,10m',
  '0s',
  '999d',
  'a,b,c',
  '-1',
  'NaN',
];
export const NUMBERS = [-1, 0, 1, 2, 3, 50, 999_999, 2 ** 53, 1.5];

/** Names the emulator resolves for user, role and channel options (channels with their type). */
export interface Pools {
  members: readonly string[];
  roles: readonly string[];
  channels: ReadonlyArray<{ name: string; type: ChannelType }>;
}

/**
 * One option's value. `invalid` means Discord would never send it (wrong type, out of the option's
 * range, length or choices), so the bot must refuse it: the fuzzer then checks nothing stored changed.
 */
export interface GeneratedValue {
  value: OptionValue;
  invalid: boolean;
}

/** The limits an option declares, as Discord's documentation names them. */
export type Limits = {
  choices?: Array<{ value: string | number }>;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  channel_types?: ChannelType[];
};

/** Discord's integer options span ±(2^53 - 1). */
const INTEGER_LIMIT = 2 ** 53 - 1;

/** Whether a value of the right type is also within what the option declares. */
function withinLimits(option: APIApplicationCommandOption, value: string | number): boolean {
  const limits = option as Limits;
  if (limits.choices && !limits.choices.some((c) => c.value === value)) return false;
  if (typeof value === 'string')
    return value.length >= (limits.min_length ?? 0) && value.length <= (limits.max_length ?? 6_000);
  if (option.type === ApplicationCommandOptionType.Integer && !Number.isInteger(value)) return false;
  return value >= (limits.min_value ?? -INTEGER_LIMIT) && value <= (limits.max_value ?? INTEGER_LIMIT);
}

/** Mostly a fitting or hostile value; 8 % of numbers, booleans and strings carry a value of another type. */
export function optionValue(option: APIApplicationCommandOption, random: Random, pools: Pools): GeneratedValue {
  const mistyped = random.chance(0.08);
  const choices = (option as Limits).choices?.map((c) => c.value);
  const fromChoices = choices !== undefined && random.chance(0.5);
  switch (option.type) {
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      if (mistyped) return { value: random.pick(HOSTILE.slice(0, 10)), invalid: true };
      const value = fromChoices ? (random.pick(choices) as number) : random.pick(NUMBERS);
      return { value, invalid: !withinLimits(option, value) };
    }
    case ApplicationCommandOptionType.String: {
      if (mistyped) return { value: random.pick([...NUMBERS, true, false]), invalid: true };
      const value = fromChoices ? String(random.pick(choices)) : random.pick(HOSTILE);
      return { value, invalid: !withinLimits(option, value) };
    }
    case ApplicationCommandOptionType.Boolean:
      return mistyped ? { value: 'yes', invalid: true } : { value: random.chance(0.5), invalid: false };
    case ApplicationCommandOptionType.User:
      return { value: random.pick(pools.members), invalid: false };
    case ApplicationCommandOptionType.Role:
      return { value: random.pick(pools.roles), invalid: false };
    case ApplicationCommandOptionType.Channel: {
      // Discord lists only channels of the declared types: any other is a forgery the emulator cannot build.
      const types = (option as Limits).channel_types;
      const fitting = pools.channels.filter((c) => !types || types.includes(c.type));
      return { value: random.pick(fitting).name, invalid: false };
    }
    default:
      throw new Error(`the fuzzer has no values for option ${option.name} of type ${option.type}`);
  }
}

/** A subcommand and its option values, some omitted; `invalid` when any value is, or a required option is missing. */
export interface GeneratedOptions {
  sub: string | undefined;
  values: Record<string, OptionValue>;
  invalid: boolean;
}

export function commandOptions(
  command: Pick<RESTPostAPIChatInputApplicationCommandsJSONBody, 'options'>,
  random: Random,
  pools: Pools,
): GeneratedOptions {
  const subs = (command.options ?? []).filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
  const sub = subs.length > 0 ? random.pick(subs) : undefined;
  const definitions = ((sub ? sub.options : command.options) ?? []).filter(
    (o) => o.type !== ApplicationCommandOptionType.Subcommand,
  ) as APIApplicationCommandOption[];
  const values: Record<string, OptionValue> = {};
  let invalid = false;
  for (const option of definitions) {
    if (random.chance(0.25)) {
      invalid ||= option.required === true;
      continue;
    }
    const generated = optionValue(option, random, pools);
    values[option.name] = generated.value;
    invalid ||= generated.invalid;
  }
  return { sub: sub?.name, values, invalid };
}
