import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AxeResults, ImpactValue } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it), or the binary LECTERN_CHROMIUM names: playwright-core downloads none. */
export const CHROMIUM = process.env.LECTERN_CHROMIUM ?? '/usr/bin/chromium';

const HOW_TO_GET_ONE = 'install it (apt-get install chromium) or set LECTERN_CHROMIUM to a Chromium or Chrome binary';

/** Chromium keeping to itself (no sync, component updates or background requests: this machine has no internet). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with CHROMIUM_FLAGS. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: ${HOW_TO_GET_ONE}.`);
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM} did not start; ${HOW_TO_GET_ONE}.`, { cause: error });
  }
}

/**
 * What a reader's browser would complain about, page after page: console errors (a CSP refusal is one), uncaught
 * script errors, failed requests, answers of 400 or more, and any request to an origin other than `origin`.
 */
export class BrowserComplaints {
  private found: string[] = [];

  constructor(private readonly origin: string) {}

  watch(page: Page): Page {
    const where = () => new URL(page.url()).pathname;
    page.on('console', (message) => {
      if (message.type() === 'error')
        this.found.push(`console error on ${where()}: ${message.text()} (${message.location().url || 'no source'})`);
    });
    page.on('pageerror', (error) => this.found.push(`script error on ${where()}: ${error.message}`));
    page.on('requestfailed', (request) =>
      this.found.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'no reason given'})`),
    );
    page.on('request', (request) => {
      if (new URL(request.url()).origin !== this.origin) this.found.push(`request to another origin: ${request.url()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) this.found.push(`${response.status()} for ${response.url()}`);
    });
    return page;
  }

  /** What was found since the last call. */
  take(): string[] {
    const found = this.found;
    this.found = [];
    return found;
  }
}

export interface AxeViolation {
  rule: string;
  impact: ImpactValue | undefined;
  help: string;
  targets: string[];
}

const AXE_SCRIPT = join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js');

/**
 * Puts axe-core in every page `context` opens, through DevTools, so the pages keep their own CSP: axe added as a
 * script element (`page.addScriptTag`) is inline text, which the archive's CSP refuses.
 */
export async function addAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ path: AXE_SCRIPT });
}

/** axe-core's violations on the page as it is now (its context went through `addAxe`). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  if (results.passes.length === 0) throw new Error(`axe checked nothing on ${page.url()}`);
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}
