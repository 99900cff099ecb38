// Never cut: masked links, mentions, Discord timestamps, bare URLs; then words and spaces.
const ATOM = /\[[^\]\n]*\]\([^)\s]*\)|<(?:@[!&]?|#)\d+>|<t:\d+(?::[tTdDfFR])?>|https?:\/\/\S+|\S+|\s+/g;

/** Breaks between lines when it can, else between words, never inside an ATOM; drops nothing. */
export function splitIntoMessages(lines: string[], max = 2000) {
  const parts: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim().length > 0) parts.push(current.replace(/\n+$/, ''));
    current = '';
  };
  const push = (piece: string) => {
    if (current.length + piece.length > max) flush();
    current += piece;
  };
  for (const line of lines) {
    const text = `${line}\n`;
    if (current.length + text.length <= max) {
      current += text;
      continue;
    }
    flush();
    if (text.length <= max) {
      current = text;
      continue;
    }
    for (const atom of text.match(ATOM) ?? []) {
      if (atom.length <= max) push(atom);
      else for (let i = 0; i < atom.length; i += max) push(atom.slice(i, i + max));
    }
  }
  flush();
  return parts;
}
