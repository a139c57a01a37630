import type { Ctx } from '../context.js';
import { writeBatcherFor } from './write-batcher.js';

/**
 * Runs a unit of work in one transaction and wakes the event dispatcher after commit.
 * Inside an enclosing transaction it joins it, so services compose without nesting. On a
 * single-writer engine units share commits (see WriteBatcher); callers see no difference.
 */
export async function inTransaction<T>(ctx: Ctx, work: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx);
  const batcher = writeBatcherFor(ctx.db);
  const result = batcher
    ? await batcher.run((trx) => work({ ...ctx, db: trx }))
    : await ctx.db.transaction().execute((trx) => work({ ...ctx, db: trx }));
  ctx.events.kick();
  return result;
}
