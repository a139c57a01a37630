import type { AnyDb } from './dialect/types.js';

const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Loads `key` once per transaction: the same promise for every later call with that transaction.
 * For the small definition tables (rules, webhooks, mailboxes, SLA policies, notification switches) that event subscribers and mail
 * jobs read again for every event of a batch, which shares one transaction. Only for reads of
 * what nothing in such a transaction writes; outside a transaction it simply loads. Callers
 * must not change what they get: later callers get the same objects.
 */
export function onceInTransaction<T>(db: AnyDb, key: string, load: () => Promise<T>): Promise<T> {
  if (!db.isTransaction) return load();
  let memo = memos.get(db);
  if (!memo) memos.set(db, (memo = new Map()));
  const known = memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const loading = load();
  memo.set(key, loading);
  loading.catch(() => memo.delete(key));
  return loading;
}

/** Drops what was loaded for `key` in this transaction: for the code that just changed it. */
export function forgetInTransaction(db: AnyDb, key: string): void {
  memos.get(db)?.delete(key);
}
