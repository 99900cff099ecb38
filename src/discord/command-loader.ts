import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { AnyCommand } from './command.js';

// Resolves both from source (tsx) and from dist/.
const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

class CommandLoadError extends Error {
  override name = 'CommandLoadError';
}

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function');
const CommandShape = z.object({
  data: z.object({ name: z.string().min(1).max(32), type: z.number().int().optional() }),
  execute: fn,
  autocomplete: fn.optional(),
  components: z.record(z.string(), z.object({ run: fn })).optional(),
  preconditions: z.object({}).loose().optional(),
});

/** Chat-input and context-menu commands may share a name. */
export function commandKey(type: number | undefined, name: string) {
  return `${type ?? 1}:${name}`;
}

export async function loadCommands(dir = COMMANDS_DIR) {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const commands = new Map<string, AnyCommand>();
  const sources = new Map<string, string>();
  for (const file of files) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    const parsed = CommandShape.safeParse(module.default);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'default export'} ${i.message}`);
      throw new CommandLoadError(
        `commands/${file} does not export a command (export default { data, execute } satisfies Command): ` +
          problems.join('; '),
      );
    }
    const command = module.default as AnyCommand;
    const key = commandKey(command.data.type, command.data.name);
    const previous = sources.get(key);
    if (previous) {
      throw new CommandLoadError(
        `commands/${file} and commands/${previous} both define the command "${command.data.name}"`,
      );
    }
    sources.set(key, file);
    commands.set(key, command);
  }
  if (commands.size === 0) throw new CommandLoadError(`no commands found in ${dir}`);
  return commands;
}
