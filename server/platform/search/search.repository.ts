import type { AnyDb } from '../db/dialect/types.js';
import { deleteSearchRows, fullTextQuery, insertSearchRows, matchingSearchRows, rewriteSearchRow, ticketsMatchingSince } from '../db/dialect/sql.js';
import { sql, type Kysely } from 'kysely';
import { jsonParam, toJson } from '../db/rows.js';
import { legacySearchWords, searchWords } from './search-words.js';

interface SettingsTable {
  settings: { key: string; value: unknown; updated_at: string };
}

// Bounds the index: long mail threads are searchable by their first part.
const MAX_DOC_CHARS = 20_000;

/**
 * Full-text rows for tickets: one row per document key (`t:<ticket>` for subject and requester,
 * `m:<message>` for each message). Replacing a row gives it a new id, so newest-first order
 * follows the latest change.
 */
export async function indexSearchDoc(db: AnyDb, docKey: string, ticketId: string, text: string, opts: { isNew?: boolean } = {}): Promise<void> {
  if (!opts.isNew) await deleteSearchRows(db, [docKey]);
  // Indexed as the words a query is split into, so "xavier@quill.test" matches on both engines
  // (PostgreSQL would otherwise keep an email or URL as one token).
  await insertSearchRows(db, [{ docKey, ticketId, body: indexedText(text) }]);
}

/** Indexes documents that have no row yet (a batch of new tickets and their messages), in order. */
export async function indexNewSearchDocs(db: AnyDb, docs: readonly { docKey: string; ticketId: string; text: string }[]): Promise<void> {
  await insertSearchRows(db, docs.map((d) => ({ docKey: d.docKey, ticketId: d.ticketId, body: indexedText(d.text) })));
}

/** What the index holds for a document's text. */
export const indexedText = (text: string): string => searchWords(text.slice(0, MAX_DOC_CHARS)).join(' ');

export const removeSearchDocs = (db: AnyDb, docKeys: string[]): Promise<void> => deleteSearchRows(db, docKeys);

/** Moves message rows to another ticket (merge, split) without re-indexing text. */
export async function reassignSearchDocs(db: AnyDb, docKeys: string[], ticketId: string): Promise<void> {
  if (docKeys.length === 0) return;
  await sql`UPDATE search_docs SET ticket_id = ${ticketId} WHERE doc_key IN (${sql.join(docKeys)})`.execute(db);
}

export interface SearchHit {
  ticketId: string;
  key: number;
}

/** Where a search walk stands: below which key, and whether it is past the exact matches. */
export interface SearchPosition {
  key: number;
  prefix: boolean;
}

/**
 * Tickets matching `text`, exact matches first and then those that match only as a prefix of
 * the last word ("quokka" then "quokkas"), each part newest first. The exact word is an index
 * walk even for a common word, while a prefix makes the engine gather every matching term, so
 * the prefix part runs only once the exact matches are used up. Which tickets a walk finds, and
 * in what order, never depends on the page size: the position carries the part it is in.
 * `next` is null when there is nothing more to find.
 */
export async function searchTicketsExactFirst(
  db: AnyDb,
  text: string,
  opts: { after?: SearchPosition | undefined; limit: number; accept?: (ids: string[]) => Promise<Set<string>> },
): Promise<{ hits: SearchHit[]; next: SearchPosition | null }> {
  const exact = fullTextQuery(db, text, { prefix: false });
  const prefixed = fullTextQuery(db, text, { prefix: true });
  if (!exact || !prefixed) return { hits: [], next: null };
  let hits: SearchHit[] = [];
  if (!opts.after?.prefix) {
    const page = await walkMatches(db, exact, { beforeKey: opts.after?.key, limit: opts.limit, accept: opts.accept });
    if (page.next !== null) return { hits: page.hits, next: { key: page.next, prefix: false } };
    // A phrase has no prefix form.
    if (prefixed === exact) return { hits: page.hits, next: null };
    hits = page.hits;
  }
  const rest = await walkMatches(db, prefixed, {
    beforeKey: opts.after?.prefix ? opts.after.key : undefined,
    limit: opts.limit - hits.length,
    accept: opts.accept,
    skipMatching: exact,
  });
  return { hits: [...hits, ...rest.hits], next: rest.next === null ? null : { key: rest.next, prefix: true } };
}

/** One walk, for callers that want the tickets and not the position (the prefix applies by default). */
export async function searchTicketIds(
  db: AnyDb,
  text: string,
  opts: { beforeKey?: number | undefined; limit: number; prefix?: boolean; accept?: (ids: string[]) => Promise<Set<string>> },
): Promise<SearchHit[]> {
  const query = fullTextQuery(db, text, { prefix: opts.prefix });
  return query ? (await walkMatches(db, query, opts)).hits : [];
}

// The walk stops after this many strides (some 230,000 rows) and leaves the rest to the next
// page, so a filter that turns nearly every match away cannot make one request unbounded.
const MAX_STRIDES = 50;

/**
 * Tickets by their newest matching row, newest first, stopping once `limit` are found: a common
 * word costs a short walk down the index rather than a sort of every match. A ticket appears
 * only at its newest match, so pages never repeat a ticket. `skipMatching` leaves out tickets
 * with any row matching that query (shown by an earlier part of the search). `next` is the key
 * to continue below, or null once the index has no more matches.
 */
async function walkMatches(
  db: AnyDb,
  query: string,
  opts: { beforeKey?: number | undefined; limit: number; accept?: ((ids: string[]) => Promise<Set<string>>) | undefined; skipMatching?: string },
): Promise<{ hits: SearchHit[]; next: number | null }> {
  const out: SearchHit[] = [];
  const seen = new Set<string>();
  let before = opts.beforeKey ?? Number.MAX_SAFE_INTEGER;
  // A common word fills a page from its first few rows, and every row read is also a ticket the
  // filter checks; a filter that turns most matches away makes the walk take longer strides.
  let batch = Math.max(opts.limit * 2, 50);
  for (let stride = 0; stride < MAX_STRIDES; stride++) {
    const rows = await matchingSearchRows(db, query, before, batch);
    let fresh = rows.filter((r) => !seen.has(r.ticketId) && seen.add(r.ticketId));
    // A ticket with a match at or above where this page starts was shown (or turned away) before.
    if (opts.beforeKey !== undefined) fresh = without(fresh, await ticketsMatchingSince(db, query, fresh.map((h) => h.ticketId), opts.beforeKey));
    if (opts.skipMatching) fresh = without(fresh, await ticketsMatchingSince(db, opts.skipMatching, fresh.map((h) => h.ticketId), 0));
    const accepted = opts.accept && fresh.length ? await opts.accept(fresh.map((h) => h.ticketId)) : null;
    for (const h of fresh) {
      if (accepted && !accepted.has(h.ticketId)) continue;
      out.push(h);
      if (out.length === opts.limit) return { hits: out, next: h.key };
    }
    if (rows.length < batch) return { hits: out, next: null };
    before = rows[rows.length - 1]!.key;
    batch = Math.min(batch * 4, 5000);
  }
  return { hits: out, next: before };
}

const without = (hits: SearchHit[], drop: Set<string>): SearchHit[] => (drop.size ? hits.filter((h) => !drop.has(h.ticketId)) : hits);

/** Which word splitting the index was last brought up to; bumped when searchWords changes. */
export const SEARCH_WORDS_VERSION = 2;
const UPGRADE_KEY = 'search_words';

/** How far the index upgrade has come: the version reached, and the walk's place meanwhile. */
export interface SearchUpgrade {
  version: number;
  phase: 'tickets' | 'messages';
  after: string | null;
}

export async function readSearchUpgrade(db: AnyDb): Promise<SearchUpgrade> {
  const r = await (db as Kysely<SettingsTable>).selectFrom('settings').select('value').where('key', '=', UPGRADE_KEY).executeTakeFirst();
  return { version: 1, phase: 'tickets', after: null, ...toJson<Partial<SearchUpgrade>>(r?.value, {}) };
}

export async function saveSearchUpgrade(db: AnyDb, state: SearchUpgrade, at: string): Promise<void> {
  const value = jsonParam(state);
  await (db as Kysely<SettingsTable>)
    .insertInto('settings')
    .values({ key: UPGRADE_KEY, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
    .execute();
}

/**
 * Brings one document's row to today's word splitting if it still holds what the splitting
 * before version 2 made of `text` (a row written since is left alone). Answers whether it changed.
 */
export async function upgradeSearchDoc(db: AnyDb, docKey: string, text: string): Promise<boolean> {
  const slice = text.slice(0, MAX_DOC_CHARS);
  const before = legacySearchWords(slice).join(' ');
  const now = searchWords(slice).join(' ');
  // Both engines lower-case what they index, so only other differences need the row rewritten.
  return before.toLowerCase() !== now && rewriteSearchRow(db, docKey, before, now);
}
