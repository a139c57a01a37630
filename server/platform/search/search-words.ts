/**
 * The one word splitter of full-text search: what is indexed, what a query looks for and what
 * the in-memory filter evaluator compares all come from here, so the two engines and the
 * evaluator agree (PostgreSQL's 'simple' configuration neither folds accents nor splits Chinese
 * or Japanese; FTS5's unicode61 folds accents but does not split either).
 *
 * - Compatibility forms are folded (full-width ＡＢＣ is abc, half-width ｶﾅ is カナ).
 * - Accents on Latin letters are dropped ("café" is "cafe"), as FTS5's remove_diacritics does;
 *   other scripts keep their marks (Japanese dakuten tell words apart).
 * - Han, Hiragana and Katakana are written without spaces, so a run of them is indexed as its
 *   overlapping character pairs (東京の支店 as 東京 京の の支 支店): any word of two or more
 *   characters inside the run is then a phrase of consecutive pairs. A lone character is a word.
 */

const LATIN_MARKS = /(?<=\p{Script=Latin}\p{M}*)\p{Mn}+/gu;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
// Within a word: runs of the scripts written without spaces, and runs of anything else.
const SCRIPT_RUN = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]+|[^\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]+/gu;
const UNSPACED = /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]/u;

const ASCII = /^[\x00-\x7f]*$/;
const ASCII_WORD = /[a-z0-9]+/g;

/** The words of `text` in order, lower-cased and folded; index and query both use this. */
export function searchWords(text: string): string[] {
  // Most text is plain ASCII, where folding changes nothing and a word is letters and digits:
  // the Unicode passes below cost more than the rest of indexing a new ticket's text.
  if (ASCII.test(text)) return text.toLowerCase().match(ASCII_WORD) ?? [];
  return unicodeSearchWords(text);
}

/** searchWords for any text (exported so tests can hold the ASCII shortcut to it). */
export function unicodeSearchWords(text: string): string[] {
  const folded = text.normalize('NFKD').replace(LATIN_MARKS, '').normalize('NFC').toLowerCase();
  const out: string[] = [];
  for (const word of folded.match(WORD) ?? []) {
    for (const run of word.match(SCRIPT_RUN) ?? []) {
      if (!UNSPACED.test(run)) {
        out.push(run);
        continue;
      }
      const chars = [...run];
      if (chars.length === 1) out.push(run);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
    }
  }
  return out;
}

/** A search text's parts: quoted phrases and bare words, each as the words it splits into. */
export function searchParts(text: string): { phrase: boolean; words: string[] }[] {
  const parts: { phrase: boolean; words: string[] }[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const words = searchWords(m[1] ?? m[2] ?? '');
    if (words.length > 0) parts.push({ phrase: m[1] !== undefined, words });
  }
  return parts;
}

/** What the index held for a text before searchWords (version 1), to tell which rows the upgrade must rewrite. */
export const legacySearchWords = (text: string): string[] => text.match(/[\p{L}\p{N}]+/gu) ?? [];
