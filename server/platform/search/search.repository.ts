import type { AnyDb } from '../db/dialect/types.js';
import { deleteSearchRows, fullTextQuery, insertSearchRow, matchingSearchRows, ticketsMatchingSince } from '../db/dialect/sql.js';
import { sql } from 'kysely';

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
  const words = text.slice(0, MAX_DOC_CHARS).match(/[\p{L}\p{N}]+/gu) ?? [];
  await insertSearchRow(db, docKey, ticketId, words.join(' '));
}

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

/**
 * Tickets by their newest matching row, newest first, stopping once `limit` are found: a common
 * word costs a short walk down the index rather than a sort of every match. A ticket appears
 * only at its newest match, so pages never repeat a ticket.
 */
export async function searchTicketIds(
  db: AnyDb,
  text: string,
  opts: { beforeKey?: number | undefined; limit: number; prefix?: boolean; accept?: (ids: string[]) => Promise<Set<string>> },
): Promise<SearchHit[]> {
  const query = fullTextQuery(db, text, { prefix: opts.prefix });
  if (!query) return [];
  const out: SearchHit[] = [];
  const seen = new Set<string>();
  const firstPage = opts.beforeKey === undefined;
  let before = opts.beforeKey ?? Number.MAX_SAFE_INTEGER;
  // A common word fills a page from its first few rows, and every row read is also a ticket the
  // filter checks; a filter that turns most matches away makes the walk take longer strides.
  let batch = Math.max(opts.limit * 2, 50);
  for (let round = 0; round < 50 && out.length < opts.limit; round++) {
    const rows = await matchingSearchRows(db, query, before, batch);
    if (rows.length === 0) break;
    let fresh = rows.filter((r) => !seen.has(r.ticketId) && seen.add(r.ticketId));
    if (!firstPage) {
      const shown = await ticketsMatchingSince(db, query, fresh.map((h) => h.ticketId), opts.beforeKey!);
      fresh = fresh.filter((h) => !shown.has(h.ticketId));
    }
    const accepted = opts.accept && fresh.length ? await opts.accept(fresh.map((h) => h.ticketId)) : null;
    for (const h of fresh) {
      if (out.length >= opts.limit) break;
      if (!accepted || accepted.has(h.ticketId)) out.push(h);
    }
    before = rows[rows.length - 1]!.key;
    if (rows.length < batch) break;
    batch = Math.min(batch * 4, 5000);
  }
  return out;
}
