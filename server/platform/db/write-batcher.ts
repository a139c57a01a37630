import type { Transaction } from 'kysely';
import { savepointSql } from './dialect/savepoint.js';
import type { AnyDb } from './dialect/types.js';

type Work = (trx: Transaction<any>) => Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Item {
  work: Work;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const MAX_BATCH = 64;
const UNIT = savepointSql('unit');

/**
 * Group commit for a single-writer engine: units of work that arrive while a transaction is
 * open join it, each inside its own savepoint, and share one commit. A failing unit rolls back
 * to its savepoint and fails alone; a failing commit fails every unit in the batch. Commits are
 * the dominant cost of a small write on SQLite, so this multiplies write throughput under load
 * without changing what any caller observes.
 */
export class WriteBatcher {
  private readonly queue: Item[] = [];
  private running = false;

  constructor(private readonly db: AnyDb) {}

  run<T>(work: (trx: Transaction<any>) => Promise<T>): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.running) return;
      this.running = true;
      // better-sqlite3 is synchronous, so a transaction runs from begin to commit without
      // yielding to I/O, and no request ever found one open to join. Starting only after the
      // I/O callbacks that are ready have run lets requests that arrived together queue up and
      // share the commit; alone, a unit waits one turn of the event loop.
      setImmediate(() => void this.loop());
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.batch();
    } finally {
      this.running = false;
    }
  }

  private async batch(): Promise<void> {
    const settled: { item: Item; ok: boolean; value: unknown }[] = [];
    let current: Item | null = null;
    try {
      await this.db.transaction().execute(async (trx) => {
        while (this.queue.length > 0 && settled.length < MAX_BATCH) {
          const item = this.queue.shift()!;
          current = item;
          if (settled.length === 0 && this.queue.length === 0) {
            // Alone in the batch: no savepoint needed, an error rolls the transaction back.
            settled.push({ item, ok: true, value: await item.work(trx) });
            current = null;
            break;
          }
          await trx.executeQuery(UNIT.save);
          try {
            const value = await item.work(trx);
            await trx.executeQuery(UNIT.release);
            settled.push({ item, ok: true, value });
          } catch (err) {
            await trx.executeQuery(UNIT.rollback);
            await trx.executeQuery(UNIT.release);
            settled.push({ item, ok: false, value: err });
          }
          current = null;
        }
      });
    } catch (err) {
      // A lone unit failed, or the commit did: nothing of this batch was written.
      (current as Item | null)?.reject(err);
      for (const s of settled) s.item.reject(s.ok ? err : s.value);
      return;
    }
    for (const s of settled) (s.ok ? s.item.resolve : s.item.reject)(s.value);
  }
}

const batchers = new WeakMap<object, WriteBatcher>();

export function enableWriteBatching(db: AnyDb): void {
  batchers.set(db, new WriteBatcher(db));
}

export const writeBatcherFor = (db: AnyDb): WriteBatcher | undefined => batchers.get(db);
