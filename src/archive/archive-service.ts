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

  /** The archive's address for links posted in Discord, or undefined while it is off. */
  link(settings: GuildSettings): string | undefined {
    if (settings.archiveVisibility === 'off' || !settings.archiveToken) return undefined;
    return `${this.publicUrl().replace(/\/$/, '')}/a/${settings.archiveToken}/`;
  }

  publicLink(settings: GuildSettings): string | undefined {
    if (settings.archiveVisibility !== 'public' || !settings.archiveSlug) return undefined;
    return `${this.publicUrl().replace(/\/$/, '')}/s/${settings.archiveSlug}/`;
  }

  sessionLink(settings: GuildSettings, sessionId: string) {
    const base = this.link(settings);
    return base && `${base}sessions/${sessionId}`;
  }

  /** `/setup archive`: a new token when first turned on or rotated; a slug is needed (and must be free) for public. */
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
    if (slug && slug !== before.archiveSlug && (await this.slugOwner(slug)) !== undefined)
      throw new UserError('archive-slug-taken', `The address ${quoteInput(slug)} is taken; pick another.`);
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
    await this.archive.point('link', guildId, token, before.archiveToken);
    await this.archive.point('slug', guildId, slug, before.archiveSlug);
    return this.settings.get(guildId);
  }

  /** The guild a slug is really theirs (a stale index entry for a slug its guild gave up does not count). */
  private async slugOwner(slug: string) {
    const resolved = await this.archive.guildFor('slug', slug);
    if (!resolved) return undefined;
    const owner = await this.settings.get(resolved);
    return owner.archiveSlug === slug ? resolved : undefined;
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
