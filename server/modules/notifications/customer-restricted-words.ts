/**
 * Finds words and phrases of the restricted list in what an agent is about to send. Pure.
 * Whole words only ("ass" does not flag "class"), any case, any run of spaces inside a
 * phrase, Unicode letters and digits counted as word characters.
 */
export interface RestrictedHit {
  word: string;
  count: number;
  where: ('subject' | 'body')[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function pattern(word: string): RegExp {
  const body = word
    .normalize('NFKC')
    .trim()
    .split(/\s+/)
    .map(escapeRe)
    .join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'giu');
}

export function findRestrictedWords(words: readonly string[], parts: readonly { where: 'subject' | 'body'; text: string }[]): RestrictedHit[] {
  const hits: RestrictedHit[] = [];
  const normalised = parts.map((p) => ({ where: p.where, text: p.text.normalize('NFKC') }));
  for (const word of words) {
    if (!word.trim()) continue;
    const re = pattern(word);
    let count = 0;
    const where = new Set<'subject' | 'body'>();
    for (const p of normalised) {
      const n = p.text.match(re)?.length ?? 0;
      if (n > 0) where.add(p.where);
      count += n;
    }
    if (count > 0) hits.push({ word, count, where: [...where] });
  }
  return hits;
}

/** The list as stored: trimmed, one line each, duplicates (in any case) dropped, first spelling kept. */
export function normaliseWordList(words: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words) {
    const clean = w.normalize('NFKC').replace(/\s+/g, ' ').trim();
    const key = clean.toLowerCase();
    if (!clean || seen.has(key)) continue;
    seen.add(key);
    out.push(clean);
  }
  return out;
}
