import type { CompiledQuery, Insertable, Kysely } from 'kysely';
import { dialectOf } from './dialect/sql.js';
import type { AnyDb } from './dialect/types.js';

/** Stands in for the n-th value while the statement is compiled (no real value holds a NUL). */
const MARK = '\u0000tessera-value:';

interface Prepared {
  query: CompiledQuery;
  /** For each bound parameter, the index of the row value that goes there. */
  slots: number[];
}
const statements = new Map<string, Prepared>();

/**
 * Inserts one row, with the statement built and compiled by Kysely once per dialect, table and
 * set of columns, and bound anew each time. Kysely builds and compiles every query afresh, and
 * for a wide row that costs more than SQLite takes to run the insert; these rows (tickets,
 * messages, events, outbox, jobs) are written for every mail and every new ticket.
 */
export async function insertRow<DB, T extends keyof DB & string>(db: Kysely<DB>, table: T, row: Insertable<DB[T]>): Promise<void> {
  const columns = Object.keys(row);
  const values: unknown[] = Object.values(row);
  // Kysely leaves a column whose value is undefined out of the statement; so does this, the slow way.
  if (values.includes(undefined)) {
    await db.insertInto(table).values(row).execute();
    return;
  }
  const key = `${dialectOf(db as unknown as AnyDb)}\u0000${table}\u0000${columns.join('\u0000')}`;
  let prepared = statements.get(key);
  if (!prepared) {
    const marked = Object.fromEntries(columns.map((c, i) => [c, `${MARK}${i}`])) as Insertable<DB[T]>;
    const query = db.insertInto(table).values(marked).compile();
    const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : -1));
    if (slots.includes(-1)) throw new Error(`insertRow(${table}): a bound parameter is not one of the row's values`);
    prepared = { query, slots };
    statements.set(key, prepared);
  }
  const { query, slots } = prepared;
  await db.executeQuery({ ...query, parameters: slots.map((i) => values[i]) });
}
