/**
 * The part of a message that matched a search, for a one-line result: the server finds
 * messages containing every word of the query as a word prefix, ignoring case and accents
 * (src/nexus/kit/search.py); the same words are marked here.
 */

export type SnippetPart = { text: string; match: boolean };

const WORD = /[\p{L}\p{N}_]+/gu;

/** Lower case without accents: "Ação" → "acao". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The query's words, folded, as the server splits them. */
export function searchTerms(query: string): string[] {
  return [...fold(query).matchAll(WORD)].map((match) => match[0]);
}

/**
 * `text` cut to about `length` characters around its first matching word, as parts, the
 * words starting with a search term marked. "…" shows where the text was cut.
 */
export function snippet(text: string, query: string, length = 90): SnippetPart[] {
  const terms = searchTerms(query);
  const flat = text.replace(/\s+/g, ' ').trim();
  const words = [...flat.matchAll(WORD)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    match: terms.some((term) => fold(match[0]).startsWith(term)),
  }));
  const first = words.find((word) => word.match);
  // Some context before the first match, starting at a word.
  let start = 0;
  if (first && first.end > length) {
    const from = Math.max(0, first.start - Math.floor(length / 3));
    start = words.find((word) => word.start >= from)?.start ?? first.start;
  }
  let end = Math.min(flat.length, start + length);
  const cutWord = words.find((word) => word.start < end && word.end > end);
  if (cutWord && cutWord.start > start) end = cutWord.start;

  const parts: SnippetPart[] = [];
  const push = (value: string, match: boolean) => {
    if (!value) return;
    const previous = parts[parts.length - 1];
    if (previous && previous.match === match) previous.text += value;
    else parts.push({ text: value, match });
  };
  if (start > 0) push('…', false);
  let at = start;
  for (const word of words) {
    if (!word.match || word.end <= start || word.start >= end) continue;
    push(flat.slice(at, word.start), false);
    push(flat.slice(word.start, word.end), true);
    at = word.end;
  }
  push(flat.slice(at, end).trimEnd(), false);
  if (end < flat.length) push('…', false);
  return parts;
}
