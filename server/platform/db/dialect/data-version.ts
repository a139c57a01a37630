import type { AnyDb } from './types.js';

const readers = new WeakMap<AnyDb, () => number>();

/** Registers how to read the store's data version (SQLite with a separate reader connection). */
export function registerDataVersion(db: AnyDb, read: () => number): void {
  readers.set(db, read);
}

/**
 * A number that changes whenever anything is committed, by this process or another: SQLite's
 * `data_version` as the reader connection sees it (the reader never writes, so every commit is
 * someone else's). Null where there is no such number (PostgreSQL, in-memory SQLite), and
 * results cannot be kept by it.
 */
export const dataVersionOf = (db: AnyDb): number | null => readers.get(db)?.() ?? null;
