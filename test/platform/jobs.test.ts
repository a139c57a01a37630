import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { fixedClock } from '../../server/platform/clock.js';
import { systemActor, type Ctx } from '../../server/platform/context.js';
import type { Database } from '../../server/platform/db/database.js';
import { inTransaction } from '../../server/platform/db/transaction.js';
import { defineJob, enqueue } from '../../server/platform/jobs/define-job.js';
import { JobRunner } from '../../server/platform/jobs/job-runner.js';
import { findJobs } from '../../server/platform/jobs/jobs.repository.js';
import { describeEachDialect, openTestDatabase } from '../support/db-matrix.js';

describeEachDialect('jobs', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  const clock = fixedClock('2026-01-01T00:00:00.000Z');
  const noKick = { kick: () => undefined };
  const ran: string[] = [];
  let flaky = 0;

  const record = defineJob({ name: 'test.record', payload: z.object({ tag: z.string() }), handler: async (_ctx, p) => void ran.push(p.tag) });
  const failing = defineJob({
    name: 'test.flaky',
    payload: z.object({}),
    attempts: 3,
    backoffMs: (n) => n * 1000,
    handler: async () => {
      flaky += 1;
      throw new Error(`boom ${flaky}`);
    },
  });
  // Writes (enqueues a follow-up), then fails when told to: its write must not survive.
  const writer = defineJob({
    name: 'test.writer',
    payload: z.object({ tag: z.string(), fail: z.boolean() }),
    attempts: 2,
    handler: async (ctx, p) => {
      await enqueue(ctx, record, { tag: `after-${p.tag}` });
      if (p.fail) throw new Error(`${p.tag} failed`);
    },
  });
  // The same, isolated: no savepoint from the runner; its failure gives up the shared commit.
  const isolatedWriter = defineJob({
    name: 'test.isolated-writer',
    payload: z.object({ tag: z.string(), fail: z.boolean() }),
    attempts: 2,
    isolated: true,
    handler: async (ctx, p) => {
      await enqueue(ctx, record, { tag: `after-${p.tag}` });
      if (p.fail) throw new Error(`${p.tag} failed`);
    },
  });
  const tick = defineJob({ name: 'test.tick', payload: z.object({}), handler: async () => void ran.push('tick') });
  const ctx = (): Ctx => ({ actor: systemActor('t'), requestId: 't', now: clock.now(), db: database.db, events: noKick });
  const runner = () => {
    const r = new JobRunner(database.db, clock, noKick, { error: () => undefined });
    r.register(record);
    r.register(failing);
    r.register(writer);
    r.register(isolatedWriter);
    return r;
  };

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
  });
  afterAll(() => dispose());

  it('runs a job only if the transaction that enqueued it committed', async () => {
    await expect(inTransaction(ctx(), async (tx) => {
      await enqueue(tx, record, { tag: 'rolled-back' });
      throw new Error('no');
    })).rejects.toThrow('no');
    await inTransaction(ctx(), (tx) => enqueue(tx, record, { tag: 'committed' }));
    expect(await runner().drain()).toBe(1);
    expect(ran).toEqual(['committed']);
  });

  it('waits for run_at and deduplicates by unique key', async () => {
    await inTransaction(ctx(), async (tx) => {
      await enqueue(tx, record, { tag: 'later' }, { runAt: new Date(clock.now().getTime() + 60_000), uniqueKey: 'k1' });
      await enqueue(tx, record, { tag: 'later-dup' }, { runAt: new Date(clock.now().getTime() + 60_000), uniqueKey: 'k1' });
    });
    const r = runner();
    expect(await r.drain()).toBe(0);
    clock.advance(60_000);
    expect(await r.drain()).toBe(1);
    expect(ran.at(-1)).toBe('later');
  });

  it('runs due jobs oldest first, and hands a dead worker\'s job to another once its lease expires', async () => {
    await inTransaction(ctx(), async (tx) => {
      for (let i = 0; i < 45; i++) await enqueue(tx, record, { tag: `burst-${i}` }, { runAt: new Date(clock.now().getTime() - (45 - i) * 1000) });
      await enqueue(tx, record, { tag: 'orphan' }, { uniqueKey: 'orphan' });
    });
    // A worker claimed 'orphan' and died: its row stays running until the lease runs out.
    await sql`UPDATE jobs SET status = 'running', locked_by = 'dead', locked_until = ${new Date(clock.now().getTime() + 300_000).toISOString()} WHERE unique_key = 'orphan'`.execute(database.db);
    const before = ran.length;
    expect(await runner().drain()).toBe(45);
    expect(ran.slice(before)).toEqual(Array.from({ length: 45 }, (_, i) => `burst-${i}`));
    clock.advance(300_001);
    expect(await runner().drain()).toBe(1);
    expect(ran.at(-1)).toBe('orphan');
  });

  it('retries with backoff and then fails for good, keeping the error', async () => {
    await inTransaction(ctx(), (tx) => enqueue(tx, failing, {}));
    const r = runner();
    await r.drain();
    expect(flaky).toBe(1);
    clock.advance(999);
    await r.drain();
    expect(flaky).toBe(1);
    clock.advance(1);
    await r.drain();
    clock.advance(2000);
    await r.drain();
    expect(flaky).toBe(3);
    const [job] = await findJobs(database.db, { name: 'test.flaky' });
    expect(job).toMatchObject({ status: 'failed', attempts: 3, lastError: 'boom 3' });
  });

  it('re-plans periodic jobs once, however many runners start', async () => {
    const a = runner();
    const b = runner();
    a.every(tick, 60_000);
    b.every(tick, 60_000);
    ran.length = 0;
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.drain(), b.drain()]);
    await a.stop();
    await b.stop();
    expect(ran.filter((x) => x === 'tick')).toHaveLength(1);
    expect(await findJobs(database.db, { name: 'test.tick', status: 'pending' })).toHaveLength(1);
    clock.advance(60_000);
    await a.drain();
    expect(ran.filter((x) => x === 'tick')).toHaveLength(2);
  });

  it('puts off the first run of a schedule when asked, and a later start keeps the planned run', async () => {
    const later = defineJob({ name: 'test.later', payload: z.object({}), handler: async () => void ran.push('later') });
    const start = async () => {
      const r = runner();
      r.every(later, 60_000, { firstAfterMs: 30_000 });
      await r.start();
      await r.drain();
      await r.stop();
    };
    ran.length = 0;
    await start();
    clock.advance(20_000);
    await start();
    expect(ran).toEqual([]);
    clock.advance(10_000);
    await start();
    expect(ran).toEqual(['later']);
    const [next] = await findJobs(database.db, { name: 'test.later', status: 'pending' });
    expect(next!.runAt).toBe(new Date(clock.now().getTime() + 60_000).toISOString());
  });

  it('jobs sharing a commit fail alone: a failed job leaves no writes, the others keep theirs', async () => {
    ran.length = 0;
    await inTransaction(ctx(), async (tx) => {
      await enqueue(tx, writer, { tag: 'w1', fail: false });
      await enqueue(tx, writer, { tag: 'w2', fail: true });
      await enqueue(tx, writer, { tag: 'w3', fail: false });
    });
    await runner().drain();
    expect(ran.sort()).toEqual(['after-w1', 'after-w3']);
    const [failed] = (await findJobs(database.db, { name: 'test.writer' })).filter((j) => j.status !== 'done');
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastError: 'w2 failed' });
  });

  it('an isolated job that fails gives up the shared commit: the batch runs again job by job, and only its writes are lost', async () => {
    ran.length = 0;
    await inTransaction(ctx(), async (tx) => {
      await enqueue(tx, isolatedWriter, { tag: 'i1', fail: false });
      await enqueue(tx, isolatedWriter, { tag: 'i2', fail: true });
      await enqueue(tx, record, { tag: 'r1' });
    });
    await runner().drain();
    expect(ran.sort()).toEqual(['after-i1', 'r1']);
    const jobs = await findJobs(database.db, { name: 'test.isolated-writer' });
    expect(jobs.map((j) => [j.payload, j.status, j.attempts, j.lastError]).sort()).toEqual([
      [{ tag: 'i1', fail: false }, 'done', 1, null],
      [{ tag: 'i2', fail: true }, 'pending', 1, 'i2 failed'],
    ]);
  });

  it('two workers draining one queue run every job exactly once', async () => {
    ran.length = 0;
    await inTransaction(ctx(), async (tx) => {
      for (let i = 0; i < 60; i++) await enqueue(tx, record, { tag: `j${i}` });
    });
    await Promise.all([runner().drain(), runner().drain()]);
    expect(ran).toHaveLength(60);
    expect(new Set(ran).size).toBe(60);
  });

  it('works a backlog with several loops at once when allowed, each job once (overlapping on PostgreSQL)', async () => {
    let active = 0;
    let most = 0;
    const done: string[] = [];
    let finished!: () => void;
    const all = new Promise<void>((r) => (finished = r));
    const slow = defineJob({
      name: 'test.slow',
      payload: z.object({ tag: z.string() }),
      handler: async (_ctx, p) => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 15));
        active -= 1;
        done.push(p.tag);
        if (done.length === 24) finished();
      },
    });
    await inTransaction(ctx(), async (tx) => {
      for (let i = 0; i < 24; i++) await enqueue(tx, slow, { tag: `s${i}` });
    });
    const r = new JobRunner(database.db, clock, noKick, { error: () => undefined }, { pollMs: 60_000, leaseMs: 60_000, batch: 2, concurrency: 3 });
    r.register(slow);
    await r.start();
    await all;
    await r.stop();
    expect(new Set(done).size).toBe(24);
    expect(done).toHaveLength(24);
    // SQLite has one writer: the loops queue for it, one transaction at a time.
    if (dialect === 'postgres') expect(most).toBeGreaterThan(1);
    else expect(most).toBe(1);
    expect((await findJobs(database.db, { name: 'test.slow' })).every((j) => j.status === 'done')).toBe(true);
  });

  it('a lane of jobs stuck waiting on another system does not hold up the local jobs queued behind it', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    let started = 0;
    const deliver = defineJob({
      name: 'test.slow-endpoint',
      payload: z.object({ n: z.number() }),
      ownTransactions: true,
      lane: 'test-remote',
      handler: async () => {
        started += 1;
        await stuck;
      },
    });
    const local = defineJob({ name: 'test.local', payload: z.object({ tag: z.string() }), handler: async (_ctx, p) => void ran.push(p.tag) });
    await inTransaction(ctx(), async (tx) => {
      for (let n = 0; n < 3; n++) await enqueue(tx, deliver, { n });
    });
    const r = new JobRunner(database.db, clock, noKick, { error: () => undefined }, { pollMs: 60_000, leaseMs: 60_000, batch: 20, concurrency: 1 });
    r.register(deliver);
    r.register(local);
    await r.start();
    try {
      await expect.poll(() => started).toBe(1);
      // Queued while the delivery waits for its endpoint: it runs all the same.
      await inTransaction(ctx(), (tx) => enqueue(tx, local, { tag: 'routed' }));
      r.kick();
      await expect.poll(() => ran.includes('routed')).toBe(true);
      expect(started).toBe(1);
    } finally {
      release();
      await r.stop();
    }
    expect((await findJobs(database.db, { name: 'test.slow-endpoint' })).map((j) => j.status)).toEqual(['done', 'done', 'done']);
  });
});
