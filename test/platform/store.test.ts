import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixedClock } from '../../server/platform/clock.js';
import { systemActor, type Ctx } from '../../server/platform/context.js';
import type { Database } from '../../server/platform/db/database.js';
import { insertRow, prepared } from '../../server/platform/db/prepared.js';
import { toIsoOrNull, toJson } from '../../server/platform/db/rows.js';
import { onceInTransaction } from '../../server/platform/db/transaction-memo.js';
import { inTransaction } from '../../server/platform/db/transaction.js';
import { EventDispatcher } from '../../server/platform/events/dispatcher.js';
import { emit } from '../../server/platform/events/emit.js';
import { countPending } from '../../server/platform/events/outbox.repository.js';
import { uuidv7 } from '../../server/platform/ids.js';
import { withSavepoint } from '../../server/platform/db/dialect/durable.js';
import { indexSearchDoc, searchTicketIds } from '../../server/platform/search/search.repository.js';
import { fullTextQuery, matchingSearchRows } from '../../server/platform/db/dialect/sql.js';
import { createTicketWithMessage } from '../../server/modules/messages/index.js';
import { createOrganization, findOrCreateContactByEmail } from '../../server/modules/contacts/index.js';
import { updateOrganization } from '../../server/modules/contacts/contacts.service.js';
import { describeEachDialect, openTestDatabase } from '../support/db-matrix.js';

// Defined once for the module: both dialects' runs use it, each compiling it for itself.
const insertDispatched = prepared<{ id: string; name: string; at: string }>('test.outbox-dispatched', (db, v) =>
  db.insertInto('outbox_events').values({ id: v.id, name: v.name, payload: '{"constant":true}', created_at: v.at, dispatched_at: v.at }),
);

describeEachDialect('store and outbox', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  const clock = fixedClock('2026-01-01T00:00:00.000Z');
  let dispatcher: EventDispatcher;
  const seen: string[] = [];
  const ctx = (): Ctx => ({ actor: systemActor('test'), requestId: 't', now: clock.now(), db: database.db, events: dispatcher });

  beforeAll(async () => {
    ({ database, dispose } = await openTestDatabase(dialect));
    dispatcher = new EventDispatcher(database.db, clock, { error: () => undefined });
    // The broken subscriber runs first and fails in SQL: on PostgreSQL that would abort the
    // batch's transaction unless each subscriber is fenced off.
    dispatcher.subscribe('ticket.created', async (_e, db) => {
      await sql`select * from no_such_table`.execute(db);
    });
    dispatcher.subscribe('ticket.created', async (e, db) => {
      await sql`select 1`.execute(db);
      seen.push((e.payload as { number: number }).number.toString());
    });
  });
  afterAll(() => dispose());

  // SQLite has one writer (units never overlap), so only PostgreSQL can deadlock.
  it.runIf(dialect === 'postgres')('runs a unit again when PostgreSQL picks it to break a deadlock: both writers succeed', async () => {
    await sql`CREATE TABLE lock_probe (id integer PRIMARY KEY, n integer NOT NULL)`.execute(database.db);
    await sql`INSERT INTO lock_probe (id, n) VALUES (1, 0), (2, 0)`.execute(database.db);
    let aHolds!: () => void;
    let bHolds!: () => void;
    const aFirst = new Promise<void>((r) => (aHolds = r));
    const bFirst = new Promise<void>((r) => (bHolds = r));
    let runs = 0;
    // Each holds one row and then wants the other's: PostgreSQL fails one of them (40P01).
    const unit = (first: number, second: number, holds: () => void, other: Promise<void>) =>
      inTransaction(ctx(), async (tx) => {
        runs += 1;
        await sql`UPDATE lock_probe SET n = n + 1 WHERE id = ${first}`.execute(tx.db);
        holds();
        await other;
        await sql`UPDATE lock_probe SET n = n + 1 WHERE id = ${second}`.execute(tx.db);
      });
    await Promise.all([unit(1, 2, aHolds, bFirst), unit(2, 1, bHolds, aFirst)]);
    expect(runs).toBe(3);
    expect((await sql<{ id: number; n: number }>`SELECT id, n FROM lock_probe ORDER BY id`.execute(database.db)).rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it('delivers events only after commit, never for a rolled-back change', async () => {
    await expect(
      inTransaction(ctx(), async (tx) => {
        await emit(tx, 'ticket.created', { ticketId: 'x', number: -1, channel: 'api', requesterId: 'r' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await inTransaction(ctx(), (tx) => emit(tx, 'ticket.created', { ticketId: 'y', number: 7, channel: 'api', requesterId: 'r' }));
    await dispatcher.idle();
    expect(seen).toEqual(['7']);
    expect(await countPending(database.db)).toBe(0);
  });

  it('picks up events left undelivered by a crash when a new dispatcher starts', async () => {
    const crashed = { kick: () => undefined };
    await inTransaction({ ...ctx(), events: crashed }, (tx) => emit(tx, 'ticket.created', { ticketId: 'z', number: 8, channel: 'api', requesterId: 'r' }));
    expect(await countPending(database.db)).toBe(1);
    await dispatcher.idle();
    expect(seen).toEqual(['7', '8']);
  });

  it('hands a batch subscriber its events of a batch once, after the per-event ones; a failing one holds nothing back', async () => {
    const batches: string[][] = [];
    const order: string[] = [];
    dispatcher.subscribe('ticket.updated', async () => void order.push('event'));
    dispatcher.subscribeBatch(['ticket.updated'], async (_events, db) => {
      await sql`select * from no_such_table`.execute(db);
    });
    dispatcher.subscribeBatch(['ticket.updated', 'ticket.deleted'], async (events, db) => {
      await sql`select 1`.execute(db);
      order.push('batch');
      batches.push(events.map((e) => `${e.name}:${(e.payload as { ticketId: string }).ticketId}`));
    });
    await inTransaction(ctx(), async (tx) => {
      await emit(tx, 'ticket.updated', { ticketId: 'a', number: 1, changes: ['priority'] });
      await emit(tx, 'ticket.status_changed', { ticketId: 'a', number: 1, from: 'open', to: 'waiting' });
      await emit(tx, 'ticket.deleted', { ticketId: 'b', number: 2 });
      await emit(tx, 'ticket.updated', { ticketId: 'a', number: 1, changes: ['tags'] });
    });
    await dispatcher.idle();
    expect(batches).toEqual([['ticket.updated:a', 'ticket.deleted:b', 'ticket.updated:a']]);
    expect(order).toEqual(['event', 'event', 'batch']);
    expect(await countPending(database.db)).toBe(0);
  });

  it('hands a run subscriber all the batch’s events of its name at once, in order; when one event fails, the others are still delivered', async () => {
    const own = new EventDispatcher(database.db, clock, { error: () => undefined });
    const calls: string[][] = [];
    const seenByOne: string[] = [];
    const ref = (e: { payload: unknown }) => (e.payload as { ticketId: string }).ticketId;
    own.subscribeRun('ticket.deleted', async (events, db) => {
      calls.push(events.map(ref));
      if (events.some((e) => ref(e) === 'bad')) await sql`select * from no_such_table`.execute(db);
    });
    own.subscribe('ticket.deleted', async (e) => void seenByOne.push(ref(e)));
    await inTransaction({ ...ctx(), events: own }, async (tx) => {
      for (const ticketId of ['a', 'b']) await emit(tx, 'ticket.deleted', { ticketId, number: 1 });
      await emit(tx, 'ticket.split', { ticketId: 'c', number: 3, fromTicketId: 'a', fromNumber: 1 });
      for (const ticketId of ['d', 'bad', 'e']) await emit(tx, 'ticket.deleted', { ticketId, number: 1 });
    });
    await own.idle();
    // First pass: all five at the place of the first, failing; then each event once on its own.
    expect(calls).toEqual([['a', 'b', 'd', 'bad', 'e'], ['a'], ['b'], ['d'], ['bad'], ['e']]);
    // The per-event subscriber saw nothing before the failure, then every event once.
    expect(seenByOne).toEqual(['a', 'b', 'd', 'bad', 'e']);
    expect(await countPending(database.db)).toBe(0);
  });

  it('keeps, once each, what the other subscribers wrote when one fails on one event of a batch', async () => {
    await sql`CREATE TABLE delivery_probe (ticket_id text NOT NULL)`.execute(database.db);
    const errors: string[] = [];
    const own = new EventDispatcher(database.db, clock, { error: (obj) => void errors.push((obj as { event: string }).event) });
    own.subscribe('ticket.merged', async (e, db) => {
      await sql`INSERT INTO delivery_probe (ticket_id) VALUES (${(e.payload as { ticketId: string }).ticketId})`.execute(db);
    });
    own.subscribe('ticket.merged', async (e, db) => {
      if ((e.payload as { ticketId: string }).ticketId === 'bad') await sql`INSERT INTO delivery_probe (no_such_column) VALUES (1)`.execute(db);
    });
    await inTransaction({ ...ctx(), events: own }, async (tx) => {
      for (const ticketId of ['first', 'bad', 'last']) await emit(tx, 'ticket.merged', { ticketId, number: 1, intoTicketId: 'x', intoNumber: 2 });
    });
    await own.idle();
    const rows = await sql<{ ticket_id: string }>`SELECT ticket_id FROM delivery_probe ORDER BY ticket_id`.execute(database.db);
    // The first pass ran 'first' and then failed: its row was undone with the batch and written again.
    expect(rows.rows.map((r) => r.ticket_id)).toEqual(['bad', 'first', 'last']);
    expect(errors).toEqual(['ticket.merged']);
    expect(await countPending(database.db)).toBe(0);
  });

  it('reads a definition once per transaction, again in the next one, and retries a failed read', async () => {
    let reads = 0;
    const load = (db: Database['db']) => onceInTransaction(db, 'probe', async () => {
      reads += 1;
      if (reads === 1) throw new Error('first read fails');
      return Number((await sql<{ n: number }>`SELECT ${reads} AS n`.execute(db)).rows[0]!.n);
    });
    await inTransaction(ctx(), async (tx) => {
      await expect(load(tx.db)).rejects.toThrow('first read fails');
      expect([await load(tx.db), await load(tx.db)]).toEqual([2, 2]);
    });
    await inTransaction(ctx(), async (tx) => expect(await load(tx.db)).toBe(3));
    expect(await load(database.db)).toBe(4);
    expect(await load(database.db)).toBe(5);
  });

  it('matches a new contact to an organization made or changed earlier in the same transaction', async () => {
    // Contacts read the organizations once per transaction; writing one must not leave that stale.
    const orgIds = await inTransaction(ctx(), async (tx) => {
      const before = await findOrCreateContactByEmail(tx, 'first@memo-one.test');
      const one = await createOrganization(tx, { name: 'Memo One', domains: ['memo-one.test'], notes: '', vip: false });
      const joined = await findOrCreateContactByEmail(tx, 'second@memo-one.test');
      const two = await createOrganization(tx, { name: 'Memo Two', domains: [], notes: '', vip: false });
      await updateOrganization(tx, two.id, { domains: ['memo-two.test'] });
      const moved = await findOrCreateContactByEmail(tx, 'third@memo-two.test');
      return { before: before.contact.organizationId, one: one.id, joined: joined.contact.organizationId, two: two.id, moved: moved.contact.organizationId };
    });
    expect(orgIds.before).toBeNull();
    expect(orgIds.joined).toBe(orgIds.one);
    expect(orgIds.moved).toBe(orgIds.two);
  });

  it('hands out unique, increasing ticket numbers under concurrent creates', async () => {
    const creates = Array.from({ length: 40 }, (_, i) =>
      createTicketWithMessage(ctx(), {
        subject: `Concurrent ${i}`,
        requester: { email: `c${i % 5}@concurrent.test` },
        message: { body: 'hello', format: 'text', attachmentIds: [] },
        priority: 'medium',
        type: 'question',
        channel: 'api',
        assigneeId: null,
        groupId: null,
        tags: [],
        customFields: {},
      }),
    );
    const numbers = (await Promise.all(creates)).map((r) => r.ticket.number);
    expect(new Set(numbers).size).toBe(40);
    const rows = await sql<{ n: number }>`SELECT count(DISTINCT requester_id) AS n FROM tickets`.execute(database.db);
    expect(Number(rows.rows[0]!.n)).toBe(5);
  });

  it('maps rows identically: ISO timestamps, numbers and JSON', async () => {
    const id = uuidv7();
    await sql`INSERT INTO settings (key, value, updated_at) VALUES (${id}, ${JSON.stringify({ a: [1, 'two'] })}, ${'2026-01-01T00:00:00.000Z'})`.execute(database.db);
    const row = (await database.db.selectFrom('settings').selectAll().where('key', '=', id).executeTakeFirst()) as { value: unknown; updated_at: unknown };
    expect(typeof row.value).toBe('string');
    expect(JSON.parse(String(row.value))).toEqual({ a: [1, 'two'] });
    expect(row.updated_at).toBe('2026-01-01T00:00:00.000Z');
  });

  it('gives every column of a row under its own name, whatever the name, the later of two alike winning', async () => {
    const row = (await sql`SELECT 1 AS "a", 'x' AS "we""ird ${sql.raw("'")}name", NULL AS "__proto__", 2 AS "constructor", 3 AS "a", 'y' AS "}; throw 1; ({"`.execute(database.db)).rows[0] as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(['a', 'we"ird \'name', '__proto__', 'constructor', '}; throw 1; ({']);
    expect(row.a).toBe(3);
    expect(row['we"ird \'name']).toBe('x');
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBeNull();
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(row.constructor).toBe(2);
    expect(row['}; throw 1; ({']).toBe('y');
  });

  it('concurrent units of work commit or fail alone (group commit on SQLite)', async () => {
    const units = Array.from({ length: 30 }, (_, i) =>
      inTransaction(ctx(), async (tx) => {
        await sql`INSERT INTO settings (key, value, updated_at) VALUES (${`unit-${i}`}, ${'{}'}, ${'2026-01-01T00:00:00.000Z'})`.execute(tx.db);
        if (i % 3 === 0) throw new Error(`unit ${i} fails`);
        return i;
      }),
    );
    const results = await Promise.allSettled(units);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
    expect((results[3] as PromiseRejectedResult).reason.message).toBe('unit 3 fails');
    expect((results[4] as PromiseFulfilledResult<number>).value).toBe(4);
    const rows = await sql<{ key: string }>`SELECT key FROM settings WHERE key LIKE 'unit-%'`.execute(database.db);
    const keys = rows.rows.map((r) => Number(r.key.slice(5))).sort((a, b) => a - b);
    expect(keys).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0));
  });

  it('units that arrive in separate turns of the event loop still commit or fail alone, and resolve only once committed', async () => {
    const visibleWhenResolved: boolean[] = [];
    const units = Array.from({ length: 12 }, (_, i) =>
      // Each unit starts from its own I/O-like callback, as concurrent HTTP requests do.
      new Promise<void>((r) => setImmediate(r)).then(() =>
        inTransaction(ctx(), async (tx) => {
          await sql`INSERT INTO settings (key, value, updated_at) VALUES (${`turn-${i}`}, ${'{}'}, ${'2026-01-01T00:00:00.000Z'})`.execute(tx.db);
          if (i === 5) throw new Error('unit 5 fails');
        }).then(async () => {
          // Read outside any transaction (SQLite: the separate reader connection): the commit is done.
          const row = await database.db.selectFrom('settings').select('key').where('key', '=', `turn-${i}`).executeTakeFirst();
          visibleWhenResolved.push(row !== undefined);
        }),
      ),
    );
    const results = await Promise.allSettled(units);
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    expect(visibleWhenResolved).toEqual(Array.from({ length: 11 }, () => true));
    const rows = await sql<{ key: string }>`SELECT key FROM settings WHERE key LIKE 'turn-%'`.execute(database.db);
    expect(rows.rows.map((r) => r.key).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `turn-${i}`).filter((k) => k !== 'turn-5').sort());
  });

  it('makes what concurrent units index searchable once committed; a failed unit or a rolled-back savepoint leaves no trace', async () => {
    // On SQLite the full-text writes wait for the commit; these are the cases that must still hold.
    const ids = Array.from({ length: 10 }, () => uuidv7(clock.now().getTime()));
    const name = new Map(ids.map((id, i) => [id, i === 9 ? 'alone' : `${i}`]));
    const found = async (word: string) => (await searchTicketIds(database.db, word, { limit: 50 })).map((h) => name.get(h.ticketId)).sort();
    const units = Array.from({ length: 9 }, (_, i) =>
      inTransaction(ctx(), async (tx) => {
        await indexSearchDoc(tx.db, `t:fts-${i}`, ids[i]!, `ftsunit quokka${i}`, { isNew: true });
        // A savepoint inside the unit (as each inbound mail has) that fails after indexing.
        await withSavepoint(tx.db, 'fts_probe', async () => {
          await indexSearchDoc(tx.db, `m:fts-${i}`, ids[i]!, 'ftsinner wombat', { isNew: true });
          if (i % 2 === 0) throw new Error('inner fails');
        }).catch(() => undefined);
        // Replaced in the same transaction: only the newer words count.
        if (i === 4) await indexSearchDoc(tx.db, `t:fts-${i}`, ids[i]!, 'ftsunit platypus');
        if (i === 7) throw new Error('unit fails');
      }),
    );
    const settled = await Promise.allSettled(units);
    expect(settled.map((r) => r.status)).toEqual(ids.slice(0, 9).map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    expect(await found('ftsunit')).toEqual(['0', '1', '2', '3', '4', '5', '6', '8']);
    expect(await found('ftsinner')).toEqual(['1', '3', '5']);
    expect(await found('quokka4')).toEqual([]);
    expect(await found('platypus')).toEqual(['4']);
    expect(await found('quokka7')).toEqual([]);
    // Outside a transaction the row is written at once.
    await indexSearchDoc(database.db, 't:fts-alone', ids[9]!, 'ftsalone echidna', { isNew: true });
    expect(await found('echidna')).toEqual(['alone']);
  });

  it('finds matches newest first for common and rare words alike, within the newest rows and below them', async () => {
    // Thirty rows; every one says "searchcommon", three of them "searchrare". With a window of
    // five rows, the rare word is found mostly below the window (PostgreSQL's index path).
    const ids = Array.from({ length: 30 }, () => uuidv7(clock.now().getTime()));
    for (const [i, id] of ids.entries()) await indexSearchDoc(database.db, `t:win-${i}`, id, `searchcommon${[2, 7, 27].includes(i) ? ' searchrare' : ''}`, { isNew: true });
    const which = (hits: { ticketId: string }[]) => hits.map((h) => ids.indexOf(h.ticketId));
    const rows = (word: string, limit: number, before = Number.MAX_SAFE_INTEGER) => matchingSearchRows(database.db, fullTextQuery(database.db, word)!, before, limit, 5);
    expect(which(await rows('searchrare', 10))).toEqual([27, 7, 2]);
    expect(which(await rows('searchrare', 2))).toEqual([27, 7]);
    expect(which(await rows('searchcommon', 3))).toEqual([29, 28, 27]);
    const [, seven] = await rows('searchrare', 2);
    expect(which(await rows('searchrare', 10, seven!.key))).toEqual([2]);
    expect(which(await rows('searchcommon', 40))).toEqual(Array.from({ length: 30 }, (_, i) => 29 - i));
  });

  it('inserts single rows through a statement compiled once: each value lands in its column, whatever the order', async () => {
    const db = database.db;
    const at = (n: number) => `2026-01-01T00:00:0${n}.000Z`;
    await insertRow(db, 'outbox_events', { id: 'row-1', name: 'first', payload: '{"n":1}', created_at: at(1), dispatched_at: at(1) });
    await insertRow(db, 'outbox_events', { dispatched_at: at(3), payload: '{"n":2}', created_at: at(2), name: 'second', id: 'row-2' });
    await insertRow(db, 'outbox_events', { id: 'row-3', name: 'third', payload: '{"n":3}', created_at: at(3), dispatched_at: at(4) });
    // A value left undefined leaves its column out, as Kysely does (here: null, no default).
    await insertRow(db, 'outbox_events', { id: 'row-4', name: 'fourth', payload: '{"n":4}', created_at: at(4), dispatched_at: undefined });
    const rows = await db.selectFrom('outbox_events').selectAll().where('id', 'like', 'row-%').orderBy('id').execute();
    await db.deleteFrom('outbox_events').where('id', 'like', 'row-%').execute();
    expect(rows.map((r) => [r.id, r.name, toJson(r.payload, null), toIsoOrNull(r.created_at), toIsoOrNull(r.dispatched_at)])).toEqual([
      ['row-1', 'first', { n: 1 }, at(1), at(1)],
      ['row-2', 'second', { n: 2 }, at(2), at(3)],
      ['row-3', 'third', { n: 3 }, at(3), at(4)],
      ['row-4', 'fourth', { n: 4 }, at(4), null],
    ]);
  });

  it('runs a prepared statement with its values bound anew and its constants kept; a name is defined once', async () => {
    const db = database.db;
    await insertDispatched(db, { id: 'prep-1', name: 'one', at: '2026-01-01T00:00:01.000Z' });
    await insertDispatched(db, { id: 'prep-2', name: 'two', at: '2026-01-01T00:00:02.000Z' });
    await expect(insertDispatched(db, { id: 'prep-3', name: undefined as unknown as string, at: '2026-01-01T00:00:03.000Z' })).rejects.toThrow(/no value for name/);
    const rows = await db.selectFrom('outbox_events').selectAll().where('id', 'like', 'prep-%').orderBy('id').execute();
    await db.deleteFrom('outbox_events').where('id', 'like', 'prep-%').execute();
    expect(rows.map((r) => [r.id, r.name, toJson(r.payload, null), toIsoOrNull(r.dispatched_at)])).toEqual([
      ['prep-1', 'one', { constant: true }, '2026-01-01T00:00:01.000Z'],
      ['prep-2', 'two', { constant: true }, '2026-01-01T00:00:02.000Z'],
    ]);
    expect(() => prepared('test.outbox-dispatched', (d) => d.selectFrom('outbox_events').selectAll())).toThrow(/defined twice/);
  });

  it('makes time-ordered UUIDv7 ids', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
