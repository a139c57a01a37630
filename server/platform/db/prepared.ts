import type { Compilable, CompiledQuery, Insertable, Kysely } from 'kysely';
import { dialectOf } from './dialect/sql.js';
import type { AnyDb } from './dialect/types.js';

/*
 * Kysely builds and compiles every query afresh (immutable nodes, frozen at each step); for a
 * wide row or an upsert that costs more than SQLite takes to run the statement. The few
 * statements written for every mail and every new ticket are built and compiled once per
 * dialect here, over stand-ins for their values, and bound anew each time.
 */

/** Stands in for a value while the statement is compiled (no real value holds a NUL). */
const MARK = '\u0000tessera-value:';

interface Compiled {
  query: CompiledQuery;
  /** For each bound parameter, the name (or index) of the value that goes there; null: a constant of the statement. */
  slots: (string | null)[];
}
const compiledStatements = new Map<string, Compiled>();

function compileOnce(key: string, build: () => Compilable<unknown>): Compiled {
  let compiled = compiledStatements.get(key);
  if (!compiled) {
    const query = build().compile();
    const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? p.slice(MARK.length) : null));
    compiled = { query, slots };
    compiledStatements.set(key, compiled);
  }
  return compiled;
}

const bind = (c: Compiled, valueOf: (slot: string) => unknown): CompiledQuery => ({ ...c.query, parameters: c.slots.map((slot, i) => (slot === null ? c.query.parameters[i] : valueOf(slot))) });

/** Inserts one row; the statement is compiled once per dialect, table and set of columns. */
export async function insertRow<DB, T extends keyof DB & string>(db: Kysely<DB>, table: T, row: Insertable<DB[T]>): Promise<void> {
  const columns = Object.keys(row);
  const values: unknown[] = Object.values(row);
  // Kysely leaves a column whose value is undefined out of the statement; so does this, the slow way.
  if (values.includes(undefined)) {
    await db.insertInto(table).values(row).execute();
    return;
  }
  const key = `${dialectOf(db as unknown as AnyDb)}\u0000insert\u0000${table}\u0000${columns.join('\u0000')}`;
  const compiled = compileOnce(key, () => db.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, `${MARK}${i}`])) as Insertable<DB[T]>));
  await db.executeQuery(bind(compiled, (slot) => values[Number(slot)]));
}

const preparedNames = new Set<string>();

/**
 * A statement of fixed shape, compiled once per dialect: `build` gets stand-ins for the named
 * values and must not branch on them (a value that changes the SQL, such as an `in` list or an
 * optional column, needs a statement of its own). Every value must be given, null included.
 * Resolves to the rows the statement returns (none for most writes).
 */
export function prepared<V extends object, R = unknown>(name: string, build: (db: AnyDb, values: V) => Compilable<R>): (db: AnyDb, values: V) => Promise<R[]> {
  // The name keys the compiled statement: two statements under one name would run each other's SQL.
  if (preparedNames.has(name)) throw new Error(`prepared statement ${name} is defined twice`);
  preparedNames.add(name);
  const standIns = new Proxy({} as V, { get: (_target, prop) => `${MARK}${String(prop)}` });
  return async (db, values) => {
    const compiled = compileOnce(`${dialectOf(db)}\u0000${name}`, () => build(db, standIns));
    const result = await db.executeQuery<R>(
      bind(compiled, (slot) => {
        const v: unknown = values[slot as keyof V];
        if (v === undefined) throw new Error(`prepared statement ${name}: no value for ${slot}`);
        return v;
      }) as CompiledQuery<R>,
    );
    return result.rows;
  };
}

/** Where each bound value of a multi-row insert comes from: [row, column]. */
const rowSlots = new WeakMap<Compiled, ([number, number] | null)[]>();

/** The most rows one multi-row insert carries (30 columns x 128 rows stays far below both engines' limits on bound values). */
const MAX_ROWS_PER_INSERT = 128;

/**
 * Inserts many rows of one shape (the same columns, no undefined value) in few statements:
 * runs of 128, then the rest as runs of 64, 32, ... 1 rows, so each table and shape compiles
 * at most eight statements however many rows come. A batch of new tickets writes its tickets,
 * messages, events and search rows this way, without building a query per row.
 */
export async function insertRows<DB, T extends keyof DB & string>(db: Kysely<DB>, table: T, rows: readonly Insertable<DB[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  for (const row of rows) {
    const keys = Object.keys(row);
    if (keys.length !== columns.length || keys.some((k, i) => k !== columns[i]) || Object.values(row).includes(undefined)) {
      throw new Error(`insertRows(${table}): every row needs the same columns (${columns.join(', ')}) and no undefined value`);
    }
  }
  let at = 0;
  while (at < rows.length) {
    let size = MAX_ROWS_PER_INSERT;
    while (size > rows.length - at) size >>= 1;
    const key = `${dialectOf(db as unknown as AnyDb)}\u0000insert-rows\u0000${table}\u0000${size}\u0000${columns.join('\u0000')}`;
    const compiled = compileOnce(key, () =>
      db.insertInto(table).values(Array.from({ length: size }, (_, r) => Object.fromEntries(columns.map((c, i) => [c, `${MARK}${r}:${i}`])) as Insertable<DB[T]>)),
    );
    let cells = rowSlots.get(compiled);
    if (!cells) rowSlots.set(compiled, (cells = compiled.slots.map((slot) => (slot === null ? null : slot.split(':').map(Number) as [number, number]))));
    const parameters = cells.map((cell, i) => (cell === null ? compiled.query.parameters[i] : (rows[at + cell[0]] as Record<string, unknown>)[columns[cell[1]]!]));
    await db.executeQuery({ ...compiled.query, parameters });
    at += size;
  }
}
