import {
  ApplicationCommandOptionType,
  ChannelType,
  type APIApplicationCommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/discord/command-loader.js';
import { commandOptions, optionValue, rng, type Limits, type OptionValue, type Pools } from '../fuzz/generator.js';

const pools: Pools = {
  members: ['Tanishq', 'Charlie'],
  roles: ['hosts'],
  channels: [
    { name: 'general', type: ChannelType.GuildText },
    { name: 'announcements', type: ChannelType.GuildAnnouncement },
    { name: 'paper-stage', type: ChannelType.GuildStageVoice },
    { name: 'lounge', type: ChannelType.GuildVoice },
    { name: 'papers', type: ChannelType.GuildForum },
  ],
};

type Declared = Limits & { required?: boolean };

/** What Discord would put in an option, written from Discord's documentation (independently of the generator). */
function discordWouldSend(option: APIApplicationCommandOption, value: OptionValue): boolean {
  const declared = option as Declared;
  const inChoices = !declared.choices || declared.choices.some((c) => c.value === value);
  const inRange = (n: number) =>
    n >= (declared.min_value ?? -(2 ** 53 - 1)) && n <= (declared.max_value ?? 2 ** 53 - 1);
  switch (option.type) {
    case ApplicationCommandOptionType.String:
      return (
        typeof value === 'string' &&
        inChoices &&
        value.length >= (declared.min_length ?? 0) &&
        value.length <= (declared.max_length ?? 6_000)
      );
    case ApplicationCommandOptionType.Integer:
      return typeof value === 'number' && Number.isSafeInteger(value) && inRange(value) && inChoices;
    case ApplicationCommandOptionType.Number:
      return typeof value === 'number' && Number.isFinite(value) && inRange(value) && inChoices;
    case ApplicationCommandOptionType.Boolean:
      return typeof value === 'boolean';
    case ApplicationCommandOptionType.User:
      return typeof value === 'string' && pools.members.includes(value);
    case ApplicationCommandOptionType.Role:
      return typeof value === 'string' && pools.roles.includes(value);
    case ApplicationCommandOptionType.Channel: {
      const channel = pools.channels.find((c) => c.name === value);
      return !!channel && (!declared.channel_types || declared.channel_types.includes(channel.type));
    }
    default:
      return false;
  }
}

/** The options a command (or one of its subcommands) takes. */
function leafOptions(command: RESTPostAPIChatInputApplicationCommandsJSONBody): APIApplicationCommandOption[] {
  return (command.options ?? []).flatMap((o) =>
    o.type === ApplicationCommandOptionType.Subcommand ? (o.options ?? []) : [o],
  ) as APIApplicationCommandOption[];
}

const SEEDS = Array.from({ length: 400 }, (_, i) => 582_601 + i * 7_919);

let commands: RESTPostAPIChatInputApplicationCommandsJSONBody[];
beforeAll(async () => {
  commands = [...(await loadCommands()).values()]
    .map((c) => c.data as RESTPostAPIChatInputApplicationCommandsJSONBody)
    .filter((d) => (d.type ?? 1) === 1);
});

describe("the fuzzer's option generator, over every option of Lectern's commands", () => {
  it('GIVEN many seeds THEN a value is marked invalid exactly when Discord would not send it', () => {
    const marked = new Map<ApplicationCommandOptionType, { invalid: number; valid: number }>();
    const wrong: string[] = [];
    for (const seed of SEEDS) {
      const random = rng(seed);
      for (const option of commands.flatMap(leafOptions)) {
        const { value, invalid } = optionValue(option, random, pools);
        if (invalid === discordWouldSend(option, value))
          wrong.push(`${option.name}=${JSON.stringify(value).slice(0, 40)} marked ${invalid ? 'invalid' : 'valid'}`);
        const tally = marked.get(option.type) ?? { invalid: 0, valid: 0 };
        tally[invalid ? 'invalid' : 'valid']++;
        marked.set(option.type, tally);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // Both kinds occur for every type that can be mistyped, so the check above is not vacuous.
    for (const type of [
      ApplicationCommandOptionType.String,
      ApplicationCommandOptionType.Integer,
      ApplicationCommandOptionType.Boolean,
    ]) {
      expect(marked.get(type)?.invalid, `type ${type}`).toBeGreaterThan(0);
      expect(marked.get(type)?.valid, `type ${type}`).toBeGreaterThan(0);
    }
  });

  it('GIVEN /speak topic (2999.99999 was a false finding) THEN only a non-string topic is marked mistyped', () => {
    const topic = leafOptions(commands.find((c) => c.name === 'speak')!).find((o) => o.name === 'topic')!;
    const values = SEEDS.map((seed) => optionValue(topic, rng(seed), pools));
    const mistyped = values.filter((v) => typeof v.value !== 'string');
    expect(mistyped.length).toBeGreaterThan(0);
    expect(mistyped.every((v) => v.invalid)).toBe(true);
    const fitting = values.filter((v) => typeof v.value === 'string' && v.value.length <= 100);
    expect(fitting.length).toBeGreaterThan(0);
    expect(fitting.filter((v) => v.invalid)).toEqual([]);
  });

  it('GIVEN a number option with a range and choices THEN values outside either are marked invalid', () => {
    const option = {
      name: 'n',
      description: 'n',
      type: ApplicationCommandOptionType.Integer,
      min_value: 1,
      max_value: 50,
      choices: [
        { name: 'one', value: 1 },
        { name: 'three', value: 3 },
        { name: 'ninety', value: 90 },
      ],
    } as APIApplicationCommandOption;
    const values = SEEDS.map((seed) => optionValue(option, rng(seed), pools));
    for (const v of values) expect(v.invalid, JSON.stringify(v.value)).toBe(!discordWouldSend(option, v.value));
    expect(values.some((v) => v.value === 3 && !v.invalid)).toBe(true);
    expect(values.some((v) => v.value === 90 && v.invalid)).toBe(true);
    expect(values.some((v) => v.value === 1.5 && v.invalid)).toBe(true);
  });

  it('GIVEN a whole command THEN it is invalid exactly when a required option is missing or a value is invalid', () => {
    let invalidCount = 0;
    for (const seed of SEEDS) {
      const random = rng(seed);
      for (const command of commands) {
        const generated = commandOptions(command, random, pools);
        const definitions = generated.sub
          ? ((
              (command.options ?? []).find((o) => o.name === generated.sub) as {
                options?: APIApplicationCommandOption[];
              }
            ).options ?? [])
          : leafOptions(command);
        const expected = definitions.some((d) =>
          d.name in generated.values
            ? !discordWouldSend(d, generated.values[d.name]!)
            : (d as Declared).required === true,
        );
        expect(generated.invalid, `/${command.name} ${generated.sub ?? ''} ${JSON.stringify(generated.values)}`).toBe(
          expected,
        );
        if (generated.invalid) invalidCount++;
      }
    }
    expect(invalidCount).toBeGreaterThan(0);
  });

  it('GIVEN one seed twice THEN the same values come out, and another seed gives others', () => {
    const run = (seed: number) => {
      const random = rng(seed);
      return Array.from({ length: 20 }, () => commands.map((c) => commandOptions(c, random, pools)));
    };
    expect(run(582_601)).toEqual(run(582_601));
    expect(run(582_602)).not.toEqual(run(582_601));
  });
});
