import { sql } from 'kysely';
import { savepointSql } from './savepoint.js';
import { writeBatcherFor } from '../write-batcher.js';
import { dialectOf } from './sql.js';
import type { AnyDb } from './types.js';

interface DurableState {
  inFlight: number;
  /** PRAGMA changes run one after another, in the order they were asked for. */
  chain: Promise<unknown>;
}
const states = new WeakMap<object, DurableState>();

/**
 * Runs `work` in a transaction whose commit is on disk when this resolves, for writes that are
 * acknowledged to someone outside (SMTP 250 for inbound mail).
 *
 * PostgreSQL commits durably by default (synchronous_commit = on). SQLite runs with
 * `synchronous = NORMAL` in WAL mode, which survives a process crash but may lose the last
 * commits on power loss. While any durable write is in flight the writer runs with FULL (every
 * commit syncs the WAL), and goes back to NORMAL when the last one has committed; other commits
 * in between are merely synced too. Units still share commits through the write batcher, so a
 * burst of mail costs one sync per batch, not one per message.
 */
export async function durableWrite<T>(db: AnyDb, work: (trx: AnyDb) => Promise<T>): Promise<T> {
  if (db.isTransaction) throw new Error('durableWrite must own its transaction');
  if (dialectOf(db) === 'postgres') return db.transaction().execute(work);
  let state = states.get(db);
  if (!state) {
    state = { inFlight: 0, chain: Promise.resolve() };
    states.set(db, state);
  }
  const s = state;
  s.inFlight += 1;
  if (s.inFlight === 1) s.chain = s.chain.catch(() => undefined).then(() => sql`PRAGMA synchronous = FULL`.execute(db));
  try {
    await s.chain;
    const batcher = writeBatcherFor(db);
    return batcher ? await batcher.run(work) : await db.transaction().execute(work);
  } finally {
    s.inFlight -= 1;
    if (s.inFlight === 0) {
      s.chain = s.chain.catch(() => undefined).then(() => sql`PRAGMA synchronous = NORMAL`.execute(db));
      await s.chain.catch(() => undefined);
    }
  }
}

/**
 * Runs `work` inside a savepoint of the caller's transaction: on failure only its writes are
 * undone and the transaction stays usable (on PostgreSQL an error otherwise aborts it), so the
 * caller can still record what went wrong.
 */
export async function withSavepoint<T>(trx: AnyDb, name: string, work: () => Promise<T>): Promise<T> {
  const s = savepointSql(name);
  await trx.executeQuery(s.save);
  try {
    const result = await work();
    await trx.executeQuery(s.release);
    return result;
  } catch (err) {
    await trx.executeQuery(s.rollback);
    await trx.executeQuery(s.release);
    throw err;
  }
}

/** The writer's current `synchronous` level (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA); tests check it. */
export async function sqliteSynchronousLevel(db: AnyDb): Promise<number | null> {
  if (dialectOf(db) === 'postgres') return null;
  // A PRAGMA is not a plain read, so it runs on the writer connection.
  const r = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db);
  return Number(r.rows[0]?.synchronous);
}
