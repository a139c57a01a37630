import type { AnyDb } from './types.js';

const readers = new WeakMap<AnyDb, () => string | Promise<string>>();

/** Registers how to read the store's data version. */
export function registerDataVersion(db: AnyDb, read: () => string | Promise<string>): void {
  readers.set(db, read);
}

/**
 * A value that changes whenever anything is committed, by this process or another, so what was
 * read under one value may be kept while it holds. SQLite: `data_version` as the reader
 * connection sees it (the reader never writes, so every commit is someone else's). PostgreSQL:
 * the current snapshot (xmin:xmax:in-progress ids); the same snapshot twice means no transaction
 * that wrote has finished or begun in between. Read it before what is kept: a commit in between
 * leaves the kept result newer than its version, never older. Null where there is no such value
 * (in-memory SQLite), and results cannot be kept by it.
 */
export async function dataVersionOf(db: AnyDb): Promise<string | null> {
  const read = readers.get(db);
  return read ? read() : null;
}
