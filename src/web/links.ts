/** Where a page's links go: absolute paths on the web server, relative file names in a static export. */
export interface Links {
  index: string;
  session(sessionId: string): string;
  paper(paperId: string): string;
  feed: string;
  asset(name: string): string;
  /** Where the search form goes: the server's index, or the export's (where `searchScripts` do the search). */
  search?: string;
  /** A static export's search: its index of words, and the script that filters the index page's rows. */
  searchScripts?: string[];
}

const encode = encodeURIComponent;

/** On the web server, under `/a/<token>/` or `/s/<slug>/`. */
export function serverLinks(base: string): Links {
  return {
    index: base,
    session: (id) => `${base}sessions/${encode(id)}`,
    paper: (id) => `${base}papers/${encode(id)}`,
    feed: `${base}feed.xml`,
    asset: (name) => `/assets/${name}`,
    search: base,
  };
}

/** In an export, from a page `depth` folders below the export's root (0: index.html, 1: sessions/x.html). */
export function exportLinks(depth: number): Links {
  const up = '../'.repeat(depth);
  return {
    index: `${up}index.html`,
    session: (id) => `${up}sessions/${encode(id)}.html`,
    paper: (id) => `${up}papers/${encode(id)}.html`,
    feed: `${up}feed.xml`,
    asset: (name) => `${up}assets/${name}`,
    search: `${up}index.html`,
    searchScripts: [`${up}assets/search-index.js`, `${up}assets/search.js`],
  };
}
