import type { Rendered } from './archive-pages.js';

/**
 * Rendered pages, least recently used out first. Keys carry the archive's version, so a new recap (or a member's
 * data removed) makes a server's pages miss at once: nothing is ever served stale, nothing needs invalidating.
 */
export class PageCache {
  private readonly pages = new Map<string, Rendered>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 2 ** 20) {}

  get(key: string): Rendered | undefined {
    const page = this.pages.get(key);
    if (page) {
      this.pages.delete(key);
      this.pages.set(key, page);
    }
    return page;
  }

  set(key: string, page: Rendered) {
    if (page.body.length > this.maxBytes / 8) return;
    this.delete(key);
    this.pages.set(key, page);
    this.bytes += page.body.length;
    for (const [oldest] of this.pages) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  private delete(key: string) {
    const page = this.pages.get(key);
    if (!page) return;
    this.pages.delete(key);
    this.bytes -= page.body.length;
  }
}
