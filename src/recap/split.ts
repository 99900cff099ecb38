// Pieces that must never be cut: masked links, mentions, Discord timestamps, bare URLs; then words and spaces.
const ATOM = /\[[^\]\n]*\]\([^)\s]*\)|<(?:@[!&]?|#)\d+>|<t:\d+(?::[tTdDfFR])?>|https?:\/\/\S+|\S+|\s+/g;

/**
 * Packs lines into messages of at most `max` characters, breaking between
 * lines when it can and otherwise between words, never inside a link, a
 * mention or a timestamp. Nothing is dropped: every character of every line
 * is in exactly one part.
 */
export function splitIntoMessages(lines: string[], max = 2000): string[] {
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
