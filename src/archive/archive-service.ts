import { randomBytes } from 'node:crypto';
import {
  LINK_TOKEN,
  paperKey,
  SearchIndex,
  searchableText,
  SLUG,
  type ArchiveSummary,
  type ArchiveVisibility,
} from '../domain/archive/archive.js';
import { UserError, quoteInput } from '../domain/errors.js';
import type { Recap } from '../domain/recap/recap.js';
import type { GuildSettings } from '../domain/settings.js';
import type { ArchiveStore } from '../store/archive-store.js';
import type { SessionStore } from '../store/session-store.js';
import type { SettingsStore } from '../store/settings-store.js';

/** Where a server's archive is read: its secret link, or its public slug. */
export interface ArchiveAddress {
  kind: 'link' | 'slug';
  value: string;
}

/** A server whose archive a reader may see, and the version of its archive (it changes with every recap). */
export interface ArchiveGuild {
  guildId: string;
  settings: GuildSettings;
  version: number;
}

export interface ArchiveChange {
  visibility?: ArchiveVisibility;
  rotate?: boolean;
  slug?: string;
  /** The server's name, shown as the archive's title. */
  title?: string;
}

/** Search indexes kept in memory, for this many servers at most (the least recently searched go first). */
const CACHED_INDEXES = 50;

/** The web archive's reads (for the web server and the export) and its settings (for `/setup archive`). */
export class ArchiveService {
  private readonly indexes = new Map<string, { version: number; index: SearchIndex }>();

  constructor(
    private readonly archive: ArchiveStore,
    private readonly sessions: SessionStore,
    private readonly settings: SettingsStore,
    /** The address the bot's links start with (LECTERN_PUBLIC_URL, else where the web server listens). */
    readonly publicUrl: () => string,
  ) {}

  /**
   * The guild whose archive `address` shows, or undefined: unknown, off and rotated addresses all look the same to
   * a reader. The link/slug index is checked against the guild's own settings, which are the truth.
   */
  async resolve(address: ArchiveAddress): Promise<ArchiveGuild | undefined> {
    if (!(address.kind === 'link' ? LINK_TOKEN : SLUG).test(address.value)) return undefined;
    const guildId = await this.archive.guildFor(address.kind, address.value);
    if (!guildId) return undefined;
    const [settings, version] = await Promise.all([this.settings.get(guildId), this.archive.version(guildId)]);
    const shown =
      address.kind === 'link'
        ? settings.archiveVisibility !== 'off' && settings.archiveToken === address.value
        : settings.archiveVisibility === 'public' && settings.archiveSlug === address.value;
    return shown ? { guildId, settings, version } : undefined;
  }

  /** Where readers reach the server, without a trailing slash. */
  origin() {
    return this.publicUrl().replace(/\/$/, '');
  }

  /** The archive's address for links posted in Discord, or undefined while it is off. */
  link(settings: GuildSettings): string | undefined {
    if (settings.archiveVisibility === 'off' || !settings.archiveToken) return undefined;
    return `${this.origin()}/a/${settings.archiveToken}/`;
  }

  publicLink(settings: GuildSettings): string | undefined {
    if (settings.archiveVisibility !== 'public' || !settings.archiveSlug) return undefined;
    return `${this.origin()}/s/${settings.archiveSlug}/`;
  }

  sessionLink(settings: GuildSettings, sessionId: string) {
    const base = this.link(settings);
    return base && `${base}sessions/${sessionId}`;
  }

  /**
   * `/setup archive`: a new token when first turned on or rotated; a slug is needed (and must be free) for public.
   * Only what is served is in the address index: an archive turned off (or a slug no longer public) is then unknown
   * there, as fast to refuse as an address that never existed, and turning it on again restores the same address.
   */
  async configure(guildId: string, change: ArchiveChange): Promise<GuildSettings> {
    const before = await this.settings.get(guildId);
    const visibility = change.visibility ?? before.archiveVisibility;
    const slug = change.slug?.trim().toLowerCase() ?? before.archiveSlug;
    if (change.slug !== undefined && !SLUG.test(slug ?? ''))
      throw new UserError(
        'archive-slug-invalid',
        `${quoteInput(change.slug)} cannot be an address: use 3 to 40 lower-case letters, digits and single dashes, ` +
          'like `ai-papers`.',
      );
    if (visibility === 'public' && !slug)
      throw new UserError('archive-slug-needed', 'A public archive needs an address: add `slug:`, like `ai-papers`.');
    const taken = () =>
      new UserError('archive-slug-taken', `The address ${quoteInput(slug ?? '')} is taken; pick another.`);
    // Claimed first (one HSETNX decides between two servers asking at once), then saved.
    if (visibility === 'public' && slug && !(await this.claimSlug(slug, guildId))) throw taken();
    const token =
      change.rotate || (!before.archiveToken && visibility !== 'off')
        ? randomBytes(16).toString('hex')
        : before.archiveToken;
    await this.settings.update(guildId, {
      archiveVisibility: visibility,
      ...(token && { archiveToken: token }),
      ...(slug && { archiveSlug: slug }),
      ...(change.title && { archiveTitle: change.title }),
    });
    await this.archive.point('link', guildId, visibility === 'off' ? undefined : token, before.archiveToken);
    await this.archive.point('slug', guildId, visibility === 'public' ? slug : undefined, before.archiveSlug);
    return this.settings.get(guildId);
  }

  /** The slug is this guild's now: free, already its own, or held by an entry its guild no longer serves. */
  private async claimSlug(slug: string, guildId: string) {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.archive.claimSlug(slug, guildId)) return true;
      const owner = await this.archive.guildFor('slug', slug);
      if (owner === guildId) return true;
      if (!owner) continue;
      const settings = await this.settings.get(owner);
      if (settings.archiveVisibility === 'public' && settings.archiveSlug === slug) return false;
      // Left behind (a crash between the two writes of a change): let it go, and claim again.
      await this.archive.release('slug', slug, owner);
    }
    return false;
  }

  summaries(guildId: string) {
    return this.archive.summaries(guildId);
  }

  names(guildId: string) {
    return this.archive.names(guildId);
  }

  recap(guildId: string, sessionId: string): Promise<Recap | undefined> {
    return this.sessions.recap(guildId, sessionId);
  }

  /** Sessions matching every word of `query`, newest first; the server's index is rebuilt when its archive changed. */
  async search(guildId: string, summaries: ArchiveSummary[], query: string): Promise<ArchiveSummary[]> {
    const version = await this.archive.version(guildId);
    let cached = this.indexes.get(guildId);
    if (!cached || cached.version !== version) {
      const recaps = await Promise.all(summaries.map((s) => this.recap(guildId, s.sessionId)));
      const documents = recaps.flatMap((recap) =>
        recap ? [{ sessionId: recap.sessionId, text: searchableText(recap) }] : [],
      );
      cached = { version, index: new SearchIndex(documents) };
    }
    this.indexes.delete(guildId);
    this.indexes.set(guildId, cached);
    if (this.indexes.size > CACHED_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
    const found = cached.index.search(query);
    return summaries.filter((s) => found.has(s.sessionId));
  }

  /** Every recap (newest first) that covered the paper `paperId` or the same paper under another queue entry. */
  async paper(guildId: string, paperId: string, summaries: ArchiveSummary[]) {
    const key = summaries.flatMap((s) => s.papers).find((p) => p.id === paperId)?.key;
    if (!key) return [];
    const covering = summaries.filter((s) => s.papers.some((p) => p.key === key));
    const recaps = await Promise.all(covering.map((s) => this.recap(guildId, s.sessionId)));
    return recaps.flatMap((recap) => {
      const paper = recap?.covered.find((p) => paperKey(p) === key);
      return recap && paper ? [{ recap, paper }] : [];
    });
  }
}
