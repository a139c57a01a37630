import { CompiledQuery, PostgresAdapter, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { AT_COMMIT, type TaggedQuery } from './sqlite-driver.js';
import { UNICODE_LOWER } from './sql-functions.js';
import type { AnyDb, DialectName } from './types.js';
import { searchParts } from '../../search/search-words.js';

/**
 * Every SQL difference between SQLite and PostgreSQL lives here, behind named helpers.
 * Repositories call these and never test the dialect themselves.
 */
export function dialectOf(db: AnyDb): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

// The statements run for every new ticket are written out here, in each dialect's own
// placeholders, rather than built through Kysely's template for every call.
const raw = <R>(db: AnyDb, text: string, parameters: unknown[]) => db.executeQuery<R>(CompiledQuery.raw(text, parameters));

/**
 * Ticket numbers, `count` of them, ascending: a sequence on PostgreSQL (no row lock, so
 * concurrent creates never wait on each other, and a rolled-back number is never handed out
 * again; a batch's numbers may interleave with another's); on SQLite the single writer makes a
 * counter row safe and a batch's numbers consecutive.
 */
export async function nextSequenceValues(db: AnyDb, name: 'ticket_number', count: number): Promise<number[]> {
  if (dialectOf(db) === 'postgres') {
    const r = count === 1 ? await raw<{ v: number }>(db, 'SELECT nextval($1) AS v', [`${name}_seq`]) : await raw<{ v: number }>(db, 'SELECT nextval($1) AS v FROM generate_series(1, $2)', [`${name}_seq`, count]);
    return r.rows.map((row) => Number(row.v)).sort((a, b) => a - b);
  }
  const r = await raw<{ v: number }>(db, 'UPDATE counters SET value = value + ? WHERE name = ? RETURNING value AS v', [count, name]);
  const last = Number(r.rows[0]!.v);
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}

/**
 * Sets columns of many rows, each found by its id, in one statement per 100 rows (UPDATE …
 * FROM VALUES): a round trip for a run of tickets rather than one each. A row is its id and
 * then one value per column; `pgTypes` names the PostgreSQL type of a column a bare
 * parameter cannot be assigned to (timestamptz, integer).
 */
export async function updateRowsById(db: AnyDb, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], pgTypes: Readonly<Record<string, string>> = {}): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const cell = (value: unknown, column: string) => (pg && pgTypes[column] ? sql`CAST(${value} AS ${sql.raw(pgTypes[column])})` : sql`${value}`);
  // Each row is the values, then the id. SQLite names a VALUES list's columns column1,
  // column2, …; PostgreSQL takes names after the alias.
  const valueRef = (i: number) => sql.raw(pg ? `v.c${i + 1}` : `v.column${i + 1}`);
  const idRef = sql.raw(pg ? 'v.c0' : `v.column${columns.length + 1}`);
  const alias = sql.raw(pg ? `v(${columns.map((_, i) => `c${i + 1}`).join(', ')}, c0)` : 'v');
  const sets = sql.join(columns.map((c, i) => sql`${sql.ref(c)} = ${valueRef(i)}`));
  for (let at = 0; at < rows.length; at += 100) {
    const values = sql.join(rows.slice(at, at + 100).map((r) => sql`(${sql.join([...columns.map((c, i) => cell(r[i + 1], c)), sql`${r[0]}`])})`));
    await sql`UPDATE ${sql.table(table)} SET ${sets} FROM (VALUES ${values}) AS ${alias} WHERE ${sql.table(table)}.id = ${idRef}`.execute(db);
  }
}

/**
 * Fresh planner statistics for tables whose every row was just replaced (a rebuild): until the
 * database's own catch up (PostgreSQL's autovacuum, when it is on), a table last seen empty is
 * read whole where an index would find a few rows. A SQLite database that keeps no statistics
 * goes on planning on SQLite's defaults.
 */
export async function refreshPlannerStatistics(db: AnyDb, tables: readonly string[]): Promise<void> {
  if (dialectOf(db) === 'sqlite' && !(await raw(db, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'", [])).rows.length) return;
  for (const table of tables) await sql`ANALYZE ${sql.table(table)}`.execute(db);
}

/** Text value of a key of a JSON object column (custom fields). */
export function jsonText(db: AnyDb, column: Expression<unknown> | string, key: string): RawBuilder<string | null> {
  const col = typeof column === 'string' ? sql.ref(column) : column;
  if (dialectOf(db) === 'postgres') return sql<string | null>`(${col} ->> ${key})`;
  return sql<string | null>`json_extract(${col}, ${`$."${key.replace(/"/g, '')}"`})`;
}

/**
 * True when the JSON array stored under `key` holds a string (or number) that is `lowerValue`
 * once lower-cased, as `lowerCase` folds (multi-select fields, matched whatever the case).
 */
export function jsonArrayContainsFolded(db: AnyDb, column: string, key: string, lowerValue: string): RawBuilder<SqlBool> {
  if (dialectOf(db) === 'postgres') {
    // jsonb_array_elements fails on anything but an array, hence the CASE.
    const arr = sql`(${sql.ref(column)} -> ${key})`;
    return sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${arr}) = 'array' THEN ${arr} END) AS e(v) WHERE jsonb_typeof(e.v) IN ('string', 'number') AND lower(e.v #>> '{}') = ${lowerValue})`;
  }
  // json_each reads a scalar as a one-element list; only an array counts, as on PostgreSQL.
  const path = `$."${key.replace(/"/g, '')}"`;
  return sql<SqlBool>`(json_type(${sql.ref(column)}, ${path}) = 'array' AND EXISTS (SELECT 1 FROM json_each(${sql.ref(column)}, ${path}) WHERE type IN ('text', 'integer', 'real') AND ${sql.raw(UNICODE_LOWER)}(CAST(value AS TEXT)) = ${lowerValue}))`;
}

/** Lower case in every script, as JavaScript's toLowerCase folds (SQLite's lower() folds ASCII only). */
export function lowerCase(db: AnyDb, value: Expression<unknown>): RawBuilder<string> {
  return dialectOf(db) === 'postgres' ? sql<string>`lower(${value})` : sql<string>`${sql.raw(UNICODE_LOWER)}(${value})`;
}

/** Case-insensitive substring match, in every script (as JavaScript's toLowerCase folds). */
export function containsInsensitive(db: AnyDb, column: Expression<unknown> | string, needle: string): RawBuilder<SqlBool> {
  const col = typeof column === 'string' ? sql.ref(column) : column;
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (dialectOf(db) === 'postgres') return sql<SqlBool>`${col} ILIKE ${pattern} ESCAPE '\\'`;
  // SQLite's LIKE folds ASCII only, so "école" would miss "ÉCOLE": a needle beyond ASCII compares
  // both sides lower-cased in full. An ASCII needle keeps the native LIKE, seven times faster
  // than the function on every row, and the same answer but for the two letters whose lower case
  // is ASCII (Turkish İ, the Kelvin sign K).
  if (/^\p{ASCII}*$/u.test(needle)) return sql<SqlBool>`${col} LIKE ${pattern} ESCAPE '\\'`;
  return sql<SqlBool>`${sql.raw(UNICODE_LOWER)}(${col}) LIKE ${pattern.toLowerCase()} ESCAPE '\\'`;
}

/** Booleans are stored as 0/1 integers on both engines so rows compare and map identically. */
export const boolValue = (b: boolean): number => (b ? 1 : 0);

/**
 * Turns user words into a safe full-text query: every word must match, the last one as a
 * prefix ("refu" finds "refund"), quoted phrases kept as phrases. Returns null when nothing
 * searchable is left. `prefix: false` matches the last word exactly, which the engine answers
 * far faster for common words.
 */
export function fullTextQuery(db: AnyDb, text: string, opts: { prefix?: boolean } = {}): string | null {
  const parts = searchParts(text);
  if (parts.length === 0) return null;
  const pg = dialectOf(db) === 'postgres';
  return parts
    .map((p, i) => {
      const last = opts.prefix !== false && i === parts.length - 1 && !p.phrase;
      if (pg) {
        const joined = p.words.join(' <-> ');
        return p.words.length > 1 ? `(${joined}${last ? ':*' : ''})` : `${joined}${last ? ':*' : ''}`;
      }
      const q = `"${p.words.join(' ')}"`;
      return last ? `${q}*` : q;
    })
    .join(pg ? ' & ' : ' AND ');
}

/** What the engine under this handle can do; code asks this instead of naming a dialect. */
/**
 * Takes the lock named `key` until the transaction ends, for a read-then-write that two
 * transactions must not interleave. PostgreSQL: an advisory transaction lock. SQLite: nothing,
 * its one writer runs write transactions one at a time.
 */
export async function lockNamed(db: AnyDb, key: string): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(db);
}

export function capabilitiesOf(db: AnyDb): { rowLocks: boolean; skipLocked: boolean; listenNotify: boolean } {
  const pg = dialectOf(db) === 'postgres';
  return { rowLocks: pg, skipLocked: pg, listenNotify: pg };
}

/**
 * NOTIFY on PostgreSQL (inside a transaction it is sent at commit, never on rollback). The
 * server refuses payloads of 8000 bytes or more, so callers send a reference for big ones.
 * Elsewhere there are no other processes to tell, so this does nothing.
 */
export async function notifyChannel(db: AnyDb, channel: string, payload: string): Promise<void> {
  if (!capabilitiesOf(db).listenNotify) return;
  await sql`SELECT pg_notify(${channel}, ${payload})`.execute(db);
}

/**
 * A JSON array (as text) of `column` over the rows of `table` whose `key` equals the outer
 * `parent` column: a ticket's tags in the same round trip as the ticket.
 */
export function childValuesJson(db: AnyDb, table: string, column: string, key: string, parent: string): RawBuilder<string> {
  if (dialectOf(db) === 'postgres') {
    return sql<string>`(SELECT coalesce(json_agg(${sql.ref(`c.${column}`)}), '[]')::text FROM ${sql.table(table)} AS c WHERE ${sql.ref(`c.${key}`)} = ${sql.ref(parent)})`;
  }
  return sql<string>`(SELECT json_group_array(${sql.ref(`c.${column}`)}) FROM ${sql.table(table)} AS c WHERE ${sql.ref(`c.${key}`)} = ${sql.ref(parent)})`;
}

/** True when the timestamp column `to` is at most `ms` after `from` (both set). */
export function elapsedAtMost(db: AnyDb, from: string, to: string, ms: number): RawBuilder<SqlBool> {
  if (dialectOf(db) === 'postgres') return sql<SqlBool>`(${sql.ref(to)} <= ${sql.ref(from)} + ${sql.lit(ms)} * interval '1 millisecond')`;
  // ISO text on SQLite: compare as day fractions.
  return sql<SqlBool>`(julianday(${sql.ref(to)}) - julianday(${sql.ref(from)}) <= ${sql.lit(ms / 86400_000)})`;
}

// Full-text rows: FTS5 (contentless, rowid = search_docs.id) on SQLite; tsvector + GIN on PostgreSQL.

export interface NewSearchRow {
  docKey: string;
  ticketId: string;
  body: string;
}

/** Rows per statement when many documents are indexed at once (a batch of new tickets). */
const SEARCH_ROWS_PER_INSERT = 128;
const placeholders = (rows: number, perRow: (i: number) => string) => Array.from({ length: rows }, (_, i) => perRow(i)).join(', ');

/** New full-text rows, in order (later rows sort as newer), a statement per 128 of them. */
export async function insertSearchRows(db: AnyDb, rows: readonly NewSearchRow[]): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  for (let at = 0; at < rows.length; at += SEARCH_ROWS_PER_INSERT) {
    const chunk = rows.slice(at, at + SEARCH_ROWS_PER_INSERT);
    if (pg) {
      const values = placeholders(chunk.length, (i) => `($${3 * i + 1}, $${3 * i + 2}, to_tsvector('simple', $${3 * i + 3}))`);
      await raw(db, `INSERT INTO search_docs (doc_key, ticket_id, tsv) VALUES ${values}`, chunk.flatMap((r) => [r.docKey, r.ticketId, r.body]));
      continue;
    }
    const inserted = await raw<{ id: number; doc_key: string }>(db, `INSERT INTO search_docs (doc_key, ticket_id) VALUES ${placeholders(chunk.length, () => '(?, ?)')} RETURNING id, doc_key`, chunk.flatMap((r) => [r.docKey, r.ticketId]));
    // RETURNING lists rows in no promised order: each text goes with its own key's id.
    const idOf = new Map(inserted.rows.map((r) => [r.doc_key, r.id]));
    await atCommit(db, `INSERT INTO search_fts (rowid, body) VALUES ${placeholders(chunk.length, () => '(?, ?)')}`, chunk.flatMap((r) => [idOf.get(r.docKey), r.body]));
  }
}

// FTS5 writes wait for the commit (see AT_COMMIT), in the order they were made.
const atCommit = (db: AnyDb, text: string, parameters: unknown[]) => db.executeQuery({ ...CompiledQuery.raw(text, parameters), [AT_COMMIT]: true } as TaggedQuery);

/**
 * Re-indexes a row in place (its key, and so its place in newest-first order, stays) when it
 * still holds `previous`; answers whether it did. On SQLite the caller's transaction must have
 * read the text it indexes (one writer: nothing changes it meanwhile); on PostgreSQL the
 * comparison is made on the locked row, so a concurrent re-index of newer text wins.
 */
export async function rewriteSearchRow(db: AnyDb, docKey: string, previous: string, body: string): Promise<boolean> {
  if (dialectOf(db) === 'postgres') {
    const r = await raw(db, "UPDATE search_docs SET tsv = to_tsvector('simple', $1) WHERE doc_key = $2 AND tsv = to_tsvector('simple', $3)", [body, docKey, previous]);
    return Number(r.numAffectedRows ?? 0) > 0;
  }
  const r = await raw<{ id: number }>(db, 'SELECT id FROM search_docs WHERE doc_key = ?', [docKey]);
  const id = r.rows[0]?.id;
  if (id === undefined) return false;
  // A contentless FTS5 table replaces a row by deleting its rowid and inserting it again.
  await atCommit(db, 'DELETE FROM search_fts WHERE rowid = ?', [id]);
  await atCommit(db, 'INSERT INTO search_fts (rowid, body) VALUES (?, ?)', [id, body]);
  return true;
}

export async function deleteSearchRows(db: AnyDb, docKeys: string[]): Promise<void> {
  if (docKeys.length === 0) return;
  if (dialectOf(db) === 'postgres') {
    await sql`DELETE FROM search_docs WHERE doc_key IN (${sql.join(docKeys)})`.execute(db);
    return;
  }
  const rows = await sql<{ id: number }>`DELETE FROM search_docs WHERE doc_key IN (${sql.join(docKeys)}) RETURNING id`.execute(db);
  for (const r of rows.rows) await atCommit(db, 'DELETE FROM search_fts WHERE rowid = ?', [r.id]);
}

/**
 * One bounded step of merging the full-text index's b-trees into one (FTS5 'merge'; `pages`
 * negative starts a full merge, positive carries on the one started). Resolves false once
 * there is nothing left to merge. PostgreSQL's GIN index is kept by autovacuum: always false.
 */
export async function mergeSearchIndexStep(db: AnyDb, pages: number): Promise<boolean> {
  if (dialectOf(db) === 'postgres') return false;
  return db.transaction().execute(async (trx) => {
    const changes = async () => Number((await sql<{ n: number }>`SELECT total_changes() AS n`.execute(trx)).rows[0]!.n);
    const before = await changes();
    await sql`INSERT INTO search_fts (search_fts, rank) VALUES ('merge', ${pages})`.execute(trx);
    // FTS5's documented test: a step that wrote fewer than two rows found nothing to merge.
    return (await changes()) - before >= 2;
  });
}

type SearchRow = { ticket_id: string; k: number };
const searchHits = (rows: SearchRow[]) => rows.map((r) => ({ ticketId: r.ticket_id, key: Number(r.k) }));

/** The newest search rows PostgreSQL walks in key order before it asks the word index instead. */
const SEARCH_WINDOW = 50_000;

/** Matching search rows with key below `before`, newest first; `query` comes from fullTextQuery. */
export async function matchingSearchRows(db: AnyDb, query: string, before: number, limit: number, window = SEARCH_WINDOW): Promise<{ ticketId: string; key: number }[]> {
  if (dialectOf(db) !== 'postgres') {
    // FTS5 keeps each word's rows in rowid order, so newest-first stops early for any word.
    const rows = await sql<SearchRow>`SELECT d.ticket_id, f.rowid AS k FROM search_fts f JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ${query} AND f.rowid < ${before} ORDER BY f.rowid DESC LIMIT ${limit}`.execute(db);
    return searchHits(rows.rows);
  }
  // PostgreSQL's plan for "matches, newest first" walks the key index backwards and tests each
  // row, which is right for a common word and ruinous for a rare one (6 s for a word in 0.1% of
  // 5M rows: the planner counts the test as cheap). So the walk is bounded to the newest rows;
  // a word that fills a page there is common. One that does not matches under limit/window of
  // the rows, few enough to take all of them from the GIN index (MATERIALIZED keeps the planner
  // from walking again) and sort.
  const top = (await sql<{ top: number | null }>`SELECT max(id) AS top FROM search_docs WHERE id < ${before}`.execute(db)).rows[0]?.top;
  if (top === null || top === undefined) return [];
  const floor = Number(top) - window;
  const recent = await sql<SearchRow>`SELECT ticket_id, id AS k FROM search_docs WHERE tsv @@ to_tsquery('simple', ${query}) AND id <= ${top} AND id > ${floor} ORDER BY id DESC LIMIT ${limit}`.execute(db);
  if (recent.rows.length === limit || floor <= 0) return searchHits(recent.rows);
  const older = await sql<SearchRow>`WITH m AS MATERIALIZED (SELECT ticket_id, id FROM search_docs WHERE tsv @@ to_tsquery('simple', ${query}) AND id <= ${floor}) SELECT ticket_id, id AS k FROM m ORDER BY id DESC LIMIT ${limit - recent.rows.length}`.execute(db);
  return searchHits([...recent.rows, ...older.rows]);
}

/** Which of these tickets have a matching row with key >= `from` (they were shown on an earlier page). */
export async function ticketsMatchingSince(db: AnyDb, query: string, ticketIds: string[], from: number): Promise<Set<string>> {
  if (ticketIds.length === 0) return new Set();
  const rows =
    dialectOf(db) === 'postgres'
      ? await sql<{ ticket_id: string }>`SELECT DISTINCT ticket_id FROM search_docs WHERE ticket_id IN (${sql.join(ticketIds)}) AND id >= ${from} AND tsv @@ to_tsquery('simple', ${query})`.execute(db)
      : await sql<{ ticket_id: string }>`SELECT DISTINCT d.ticket_id FROM search_docs d JOIN search_fts f ON f.rowid = d.id WHERE d.ticket_id IN (${sql.join(ticketIds)}) AND d.id >= ${from} AND search_fts MATCH ${query}`.execute(db);
  return new Set(rows.rows.map((r) => r.ticket_id));
}

/** Subquery of ticket ids whose text matches (filter language text terms). */
export function searchTicketIdsSubquery(db: AnyDb, query: string): RawBuilder<string> {
  if (dialectOf(db) === 'postgres') return sql<string>`(SELECT ticket_id FROM search_docs WHERE tsv @@ to_tsquery('simple', ${query}))`;
  return sql<string>`(SELECT d.ticket_id FROM search_fts f JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ${query})`;
}

/** A JSON number under `key` as a number; NULL for anything else, so bad data never breaks a cast. */
export function jsonNumber(db: AnyDb, column: string, key: string): RawBuilder<number | null> {
  const col = sql.ref(column);
  if (dialectOf(db) === 'postgres') {
    return sql<number | null>`(CASE WHEN jsonb_typeof(${col} -> ${key}) = 'number' THEN (${col} ->> ${key})::double precision END)`;
  }
  const path = `$."${key.replace(/"/g, '')}"`;
  return sql<number | null>`(CASE WHEN json_type(${col}, ${path}) IN ('integer', 'real') THEN json_extract(${col}, ${path}) END)`;
}

/**
 * Whether a failed transaction lost a lock race it may simply run again: PostgreSQL's
 * deadlock_detected (40P01) and serialization_failure (40001). SQLite has one writer and no
 * such failures.
 */
export function isTransientConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
