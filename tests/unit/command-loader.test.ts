import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/discord/command-loader.js';

function commandsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lectern-commands-'));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return dir;
}

const good = (name: string) => `export default { data: { name: '${name}', description: 'x' }, async execute() {} };`;

describe('command loader', () => {
  it("loads the project's own commands folder", async () => {
    const commands = await loadCommands();
    expect([...commands.keys()]).toEqual(expect.arrayContaining(['1:ping', '1:setup']));
  });

  it('GIVEN a file without execute THEN start-up stops naming the file', async () => {
    const dir = commandsDir({ 'a.js': good('a'), 'broken.js': `export default { data: { name: 'broken' } };` });
    await expect(loadCommands(dir)).rejects.toThrow(/commands\/broken\.js does not export a command.*execute/);
  });

  it('GIVEN a file with no default export THEN start-up stops naming the file', async () => {
    await expect(loadCommands(commandsDir({ 'named.js': 'export const command = 1;' }))).rejects.toThrow(
      /commands\/named\.js/,
    );
  });

  it('GIVEN two files with the same command name THEN start-up stops naming both', async () => {
    const dir = commandsDir({ 'one.js': good('paper'), 'two.js': good('paper') });
    await expect(loadCommands(dir)).rejects.toThrow(
      'commands/two.js and commands/one.js both define the command "paper"',
    );
  });

  it('GIVEN a chat command and a context menu with one name THEN both load', async () => {
    const menu = `export default { data: { name: 'paper', type: 3 }, async execute() {} };`;
    const commands = await loadCommands(commandsDir({ 'one.js': good('paper'), 'menu.js': menu }));
    expect([...commands.keys()].sort()).toEqual(['1:paper', '3:paper']);
  });
});
