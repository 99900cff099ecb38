import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { isHost } from '../../src/domain/hosts.js';
import { formatOffset, parseReminderOffsets } from '../../src/domain/settings.js';

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error.code;
    throw error;
  }
  return undefined;
}

describe('reminder offsets', () => {
  it('parses the SPEC example into seconds, largest first', () => {
    expect(parseReminderOffsets('10m, 24h,1h')).toEqual([86_400, 3_600, 600]);
  });

  it('accepts compound and second offsets', () => {
    expect(parseReminderOffsets('1h30m,2d,45s')).toEqual([172_800, 5_400, 45]);
  });

  it.each([
    ['25x', 'offset-invalid'],
    ['24', 'offset-invalid'],
    ['-1h', 'offset-invalid'],
    ['1h;10m', 'offset-invalid'],
    ['0m', 'offset-range'],
    ['15d', 'offset-range'],
    ['1h,60m', 'offsets-duplicate'],
    [' , ', 'offsets-empty'],
    [Array.from({ length: 50 }, (_, i) => `${i + 1}m`).join(','), 'offsets-too-many'],
  ])('refuses %j with %s', (input, code) => {
    expect(errorCode(() => parseReminderOffsets(input))).toBe(code);
  });

  it('names the bad item in the message without letting it format', () => {
    expect(() => parseReminderOffsets('1h,`@everyone`x')).toThrow(/`ˋ@everyoneˋx`/);
  });

  it('formats offsets back the way users write them', () => {
    expect([86_400, 5_400, 600, 45].map(formatOffset)).toEqual(['24h', '1h30m', '10m', '45s']);
  });
});

describe('hosts', () => {
  it('GIVEN the host role THEN a host', () =>
    expect(isHost({ roleIds: ['1', '2'], hasManageGuild: false }, '2')).toBe(true));
  it('GIVEN Manage Server and no host role set THEN a host', () =>
    expect(isHost({ roleIds: [], hasManageGuild: true }, undefined)).toBe(true));
  it('GIVEN neither THEN not a host', () => expect(isHost({ roleIds: ['1'], hasManageGuild: false }, '2')).toBe(false));
  it('GIVEN no host role configured THEN roles alone never make a host', () =>
    expect(isHost({ roleIds: ['1'], hasManageGuild: false }, undefined)).toBe(false));
});
