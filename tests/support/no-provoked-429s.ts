import { afterEach, expect } from 'vitest';
import { Emulator } from '../emulator/emulator.js';

/** The e2e projects' shared check: after every test, no emulator saw a 429 the bot provoked during it. */
const checked = new Map<Emulator, number>();

afterEach(() => {
  for (const emu of Emulator.made) {
    const hits = emu.rateLimited.slice(checked.get(emu) ?? 0);
    checked.set(emu, emu.rateLimited.length);
    expect(hits, 'requests the bot sent past a Discord rate limit (429s it provoked)').toEqual([]);
  }
});
