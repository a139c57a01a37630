import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixedClock } from '../../server/platform/clock.js';
import { systemActor, type Ctx } from '../../server/platform/context.js';
import type { Database } from '../../server/platform/db/database.js';
import { inTransaction } from '../../server/platform/db/transaction.js';
import { uuidv7 } from '../../server/platform/ids.js';
import { enqueue } from '../../server/platform/jobs/define-job.js';
import { JobRunner } from '../../server/platform/jobs/job-runner.js';
import { findJobs } from '../../server/platform/jobs/jobs.repository.js';
import { compactSearchIndex, searchCompactionJob } from '../../server/platform/search/search-compaction.js';
import { indexSearchDoc, searchTicketIds } from '../../server/platform/search/search.repository.js';
import { describeEachDialect, openTestDatabase } from '../support/db-matrix.js';

describeEachDialect('search index compaction', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  const clock = fixedClock('2026-01-01T00:00:00.000Z');
  const noKick = { kick: () => undefined };
  const ctx = (): Ctx => ({ actor: systemActor('t'), requestId: 't', now: clock.now(), db: database.db, events: noKick });
  const ids: string[] = [];
  // Each write commits alone, as a help desk's do: on SQLite every one leaves a b-tree of its own.
  const index = async (n: number, word: string) => {
    for (let i = 0; i < n; i++) {
      const id = uuidv7(clock.now().getTime());
      ids.push(id);
      await indexSearchDoc(database.db, `t:${id}`, id, `compactcommon ${word}${ids.length % 7 === 0 ? ' compactrare' : ''} number${ids.length}`, { isNew: true });
    }
  };
  const found = async (text: string) => (await searchTicketIds(database.db, text, { limit: 500 })).map((h) => ids.indexOf(h.ticketId));
  const everything = async () => ({ common: await found('compactcommon'), rare: await found('compactrare'), one: await found('number17'), word: await found('alpha') });

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
  });
  afterAll(() => dispose());

  it('merges the index in steps, stopping at a deadline and carrying on later, and finds the same tickets in the same order', async () => {
    await index(120, 'alpha');
    const before = await everything();
    expect(before.common).toEqual(Array.from({ length: 120 }, (_, i) => 119 - i));
    expect(before.rare).toEqual(before.common.filter((i) => (i + 1) % 7 === 0));
    expect(before.one).toEqual([16]);

    // A deadline already past stops after the first step, which on SQLite had b-trees to merge.
    expect(await compactSearchIndex(database.db, { deadline: 0 })).toBe(dialect === 'postgres');
    expect(await everything()).toEqual(before);
    expect(await compactSearchIndex(database.db, { continued: true })).toBe(true);
    expect(await everything()).toEqual(before);
    expect(await compactSearchIndex(database.db)).toBe(true);

    // Rows written after the merge come first, as before.
    await index(5, 'beta');
    expect((await found('compactcommon')).slice(0, 6)).toEqual([124, 123, 122, 121, 120, 119]);
    expect(await found('beta')).toEqual([124, 123, 122, 121, 120]);
  });

  it('runs as a job that hands what is left of its work to a continuation, until the index is merged', async () => {
    await index(150, 'gamma');
    const before = { common: await found('compactcommon'), gamma: await found('gamma') };
    const runner = new JobRunner(database.db, clock, noKick, { error: () => undefined });
    // No time per run at all: every run does one step and queues the next.
    runner.register(searchCompactionJob(0));
    await inTransaction(ctx(), (tx) => enqueue(tx, searchCompactionJob(0), {}));
    const runs = await runner.drain();
    if (dialect === 'sqlite') expect(runs).toBeGreaterThan(1);
    else expect(runs).toBe(1);
    expect(await findJobs(database.db, { name: 'search.compact', status: 'pending' })).toEqual([]);
    expect(await findJobs(database.db, { name: 'search.compact', status: 'failed' })).toEqual([]);
    expect({ common: await found('compactcommon'), gamma: await found('gamma') }).toEqual(before);
  });
});
