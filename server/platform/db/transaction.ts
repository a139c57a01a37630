import type { Ctx } from '../context.js';
import { isTransientConflict } from './dialect/sql.js';
import { writeBatcherFor } from './write-batcher.js';

/** Runs of a unit that lost a deadlock on PostgreSQL, before the error reaches the caller. */
const CONFLICT_ATTEMPTS = 4;

/**
 * Runs a unit of work in one transaction and wakes the event dispatcher after commit.
 * Inside an enclosing transaction it joins it, so services compose without nesting. On a
 * single-writer engine units share commits (see WriteBatcher); callers see no difference.
 */
export async function inTransaction<T>(ctx: Ctx, work: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx);
  const batcher = writeBatcherFor(ctx.db);
  const result = batcher ? await batcher.run((trx) => work({ ...ctx, db: trx })) : await withConflictRetry(() => ctx.db.transaction().execute((trx) => work({ ...ctx, db: trx })));
  ctx.events.kick();
  return result;
}

/**
 * PostgreSQL breaks a deadlock by failing one of the transactions; that one rolled back entirely,
 * so running the unit again is safe (side effects outside the database happen after commit).
 * Two requests locking the same tickets in a different order then both succeed, one a little later.
 */
async function withConflictRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isTransientConflict(err) || attempt >= CONFLICT_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
