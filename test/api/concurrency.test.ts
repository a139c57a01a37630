import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openSystem } from '../../server/main.js';
import { createApiToken, createUser, ensureFirstAdmin } from '../../server/modules/auth/index.js';
import { systemActor, type Ctx } from '../../server/platform/context.js';
import { emit } from '../../server/platform/events/emit.js';
import { dropPostgresDatabase } from '../../server/platform/db/dialect/postgres.js';
import type { AppDeps, AppInstance } from '../../server/platform/http/types.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { deliverAndProcess, inbound, mail, messagesOf, postRaw, setupSupportMailbox } from '../mail/mail-support.js';

/**
 * Many agents and integrations at once: every answer is a success or a clear 4xx (409 for a
 * lost race), never a 500, and nothing is lost or written twice. On PostgreSQL requests really
 * run side by side (a pool of connections, row locks); SQLite has one writer, so there the same
 * scenarios check that the outcome does not depend on the order requests were queued in. The
 * races are repeated rather than timed: each round must end consistent whichever request won.
 */

type Res = LightMyRequestResponse;
interface Item {
  id: string;
  number: number;
  [k: string]: unknown;
}

const items = (r: Res): Item[] => r.json().items as Item[];

/** Resolves once `n` sessions of this PostgreSQL database wait for a lock (a barrier without timing). */
async function lockWaiters(db: AppDeps['database']['db'], n: number): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if (Number(rows[0]!.n) >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Holds a ticket's row lock (PostgreSQL) in a transaction of the test's own, as a concurrent
 * change would; `release` runs `beforeRelease` in that transaction, commits and waits for it.
 */
async function holdTicketRow(db: AppDeps['database']['db'], number: number, beforeRelease?: (trx: Transaction<unknown>) => Promise<void>): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  let held!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const holding = new Promise<void>((r) => (held = r));
  const done = db.transaction().execute(async (trx) => {
    await sql`SELECT 1 FROM tickets WHERE number = ${number} FOR UPDATE`.execute(trx);
    held();
    await gate;
    await beforeRelease?.(trx as Transaction<unknown>);
  });
  await holding;
  return {
    release: async () => {
      release();
      await done;
    },
  };
}

/** Every answer of a race is a success or a conflict (409); the code is named when it is not. */
function expectSettled(answers: Res[], allowed: number[] = [200, 201, 409]): void {
  const odd = answers.filter((r) => !allowed.includes(r.statusCode)).map((r) => `${r.statusCode} ${r.body.slice(0, 300)}`);
  expect(odd).toEqual([]);
}

async function upload(t: TestApp, as: ApiClient, name: string): Promise<string> {
  const boundary = 'concurrency-boundary';
  const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${as.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

/** Walks a list to its end, each page fetched while `meanwhile` changes other things. */
async function walk(first: string, get: (url: string) => Promise<Res>, meanwhile: (page: number) => Promise<unknown>): Promise<number[]> {
  const seen: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page === 0 || cursor; page++) {
    const url: string = cursor ? `${first}&cursor=${encodeURIComponent(cursor)}` : first;
    const [res] = await Promise.all([get(url), meanwhile(page)]);
    expect(res.statusCode, res.body).toBe(200);
    seen.push(...items(res).map((x) => x.number));
    cursor = res.json().nextCursor as string | null;
  }
  return seen;
}

const duplicates = (xs: number[]): number[] => xs.filter((x, i) => xs.indexOf(x) !== i);

describeEachDialect('concurrent changes keep every ticket whole', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Conny Current' });
  });
  afterAll(() => t.close());

  it('crossing and chained merges, with replies, notes, patches and bulk changes racing them, leave every message on exactly one ticket', async () => {
    for (let round = 0; round < 6; round++) {
      const word = `quagga${round}x${dialect}`;
      const [a, b, c] = [await createTicket(t.admin, { subject: `Round ${round} A` }), await createTicket(t.admin, { subject: `Round ${round} B` }), await createTicket(t.admin, { subject: `Round ${round} C` })];
      const answers = await Promise.all([
        t.admin.post(`/api/v1/tickets/${b.number}/merge`, { sourceNumbers: [a.number] }),
        agent.post(`/api/v1/tickets/${a.number}/merge`, { sourceNumbers: [b.number] }),
        t.admin.post(`/api/v1/tickets/${c.number}/merge`, { sourceNumbers: [b.number] }),
        agent.post(`/api/v1/tickets/${a.number}/messages`, { kind: 'reply', body: `reply ${word}` }),
        agent.post(`/api/v1/tickets/${b.number}/messages`, { kind: 'note', body: `note ${word}` }),
        agent.patch(`/api/v1/tickets/${a.number}`, { priority: 'high', addTags: ['raced'] }),
        t.admin.post('/api/v1/tickets/bulk', { numbers: [a.number, b.number, c.number], changes: { addTags: ['bulk'] } }),
        agent.post(`/api/v1/tickets/${c.number}/split`, { messageIds: ['01900000-0000-7000-8000-000000000000'] }),
      ]);
      // The split names a message that is on no ticket: a plain 400 whatever the merges did.
      expectSettled(answers.slice(0, 7));
      expect(answers[7]!.statusCode).toBe(400);
      const posted = answers.slice(3, 5).filter((r) => r.statusCode === 201).length;
      // A message is refused only because its ticket was merged away first.
      for (const r of answers.slice(3, 5)) if (r.statusCode === 409) expect(r.json().error).toMatchObject({ code: 'conflict', details: { mergedIntoNumber: expect.any(Number) } });

      const where = new Map<string, number[]>();
      for (const tk of [a, b, c]) {
        const now = (await t.admin.get(`/api/v1/tickets/${tk.number}`)).json();
        const messages = items(await t.admin.get(`/api/v1/tickets/${tk.number}/messages`));
        const events = items(await t.admin.get(`/api/v1/tickets/${tk.number}/events?limit=200`)) as unknown as { action: string; to: { number?: number } }[];
        expect(now.messageCount).toBe(messages.length);
        for (const m of messages) where.set(m.id, [...(where.get(m.id) ?? []), tk.number]);
        const mergedInto = events.filter((e) => e.action === 'merged_into');
        if (now.mergedIntoNumber) {
          expect(now).toMatchObject({ status: 'closed', messageCount: 0 });
          expect(mergedInto.map((e) => e.to.number)).toEqual([now.mergedIntoNumber]);
          const target = items(await t.admin.get(`/api/v1/tickets/${now.mergedIntoNumber}/events?action=merged_from`)) as unknown as { to: { number: number } }[];
          expect(target.filter((e) => e.to.number === tk.number)).toHaveLength(1);
        } else {
          expect(mergedInto).toEqual([]);
        }
      }
      // Three opening messages and every one that was accepted, each on one ticket only.
      expect(where.size).toBe(3 + posted);
      expect([...where.values()].filter((on) => on.length !== 1)).toEqual([]);
      // Search finds what was written under the ticket that holds it now.
      if (posted > 0) {
        const holder = [...new Set([...where.values()].flat())];
        const found = items(await agent.get(`/api/v1/search?q=${word}`)).map((x) => x.number);
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((n) => holder.includes(n))).toBe(true);
      }
    }
  });

  it('a reply or a split that reaches a ticket after it was merged is a 409 naming the ticket it went to', async () => {
    const a = await createTicket(t.admin);
    const b = await createTicket(t.admin);
    expect((await t.admin.post(`/api/v1/tickets/${a.number}/merge`, { sourceNumbers: [b.number] })).statusCode).toBe(200);
    const reply = await agent.post(`/api/v1/tickets/${b.number}/messages`, { kind: 'reply', body: 'Too late' });
    expect([reply.statusCode, reply.json().error.code, reply.json().error.details]).toEqual([409, 'conflict', { number: b.number, mergedIntoNumber: a.number }]);
    const moved = items(await t.admin.get(`/api/v1/tickets/${a.number}/messages`)).find((m) => m.mergedFromNumber === b.number)!;
    const split = await agent.post(`/api/v1/tickets/${b.number}/split`, { messageIds: [moved.id] });
    expect([split.statusCode, split.json().error.code, split.json().error.details]).toEqual([409, 'conflict', { number: b.number, mergedIntoNumber: a.number }]);
  });

  it('many subject changes at once all answer (a PostgreSQL pool is never held up by its own requests)', async () => {
    // More than the pool's connections: each change re-indexes the subject inside its transaction.
    const tickets = await Promise.all(Array.from({ length: 12 }, () => createTicket(t.admin, { requester: { email: 'zelda.subject@customer.test', name: 'Zelda Subject' } })));
    const answers = await Promise.all(tickets.map((tk, i) => agent.patch(`/api/v1/tickets/${tk.number}`, { subject: `Renamed wombat ${i}` })));
    expectSettled(answers, [200]);
    const found = items(await agent.get('/api/v1/search?q=wombat&limit=50')).map((x) => x.number);
    expect(found.sort((x, y) => x - y)).toEqual(tickets.map((tk) => tk.number).sort((x, y) => x - y));
    // The requester's name is still part of what finds the renamed ticket.
    expect(items(await agent.get('/api/v1/search?q=wombat%20zelda&limit=50'))).toHaveLength(12);
  });

  it('an upload claimed by two messages at once goes with one of them; the other is refused and not written', async () => {
    const one = await createTicket(t.admin);
    const two = await createTicket(t.admin);
    for (let i = 0; i < 8; i++) {
      const id = await upload(t, agent, `shared-${i}.txt`);
      const answers = await Promise.all([
        agent.post(`/api/v1/tickets/${one.number}/messages`, { kind: 'note', body: `first claim ${i}`, attachmentIds: [id] }),
        agent.post(`/api/v1/tickets/${two.number}/messages`, { kind: 'note', body: `second claim ${i}`, attachmentIds: [id] }),
      ]);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 400]);
      expect(answers.find((r) => r.statusCode === 400)!.json().error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'attachmentIds' }] } });
      const holders = [];
      for (const tk of [one, two]) {
        for (const m of items(await agent.get(`/api/v1/tickets/${tk.number}/messages`))) {
          if ((m.attachments as { id: string }[]).some((a) => a.id === id)) holders.push(m.bodyText);
        }
      }
      const winner = answers.find((r) => r.statusCode === 201)!.json().message.bodyText;
      expect(holders).toEqual([winner]);
    }
    // The refused messages were not kept either.
    const notes = [...items(await agent.get(`/api/v1/tickets/${one.number}/messages`)), ...items(await agent.get(`/api/v1/tickets/${two.number}/messages`))].filter((m) => String(m.bodyText).includes('claim'));
    expect(notes).toHaveLength(8);
  });

  it('concurrent changes to one ticket each leave one event, whose from is what the previous one set', async () => {
    const tk = await createTicket(t.admin);
    const priorities = ['low', 'high', 'urgent', 'medium'];
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => (i % 2 ? agent : t.admin).patch(`/api/v1/tickets/${tk.number}`, { priority: priorities[i % 4] })),
      ...Array.from({ length: 6 }, (_, i) => agent.patch(`/api/v1/tickets/${tk.number}`, { addTags: [`t${i}`] })),
      ...Array.from({ length: 6 }, (_, i) => agent.patch(`/api/v1/tickets/${tk.number}`, { starred: i % 2 === 0 })),
    ]);
    expectSettled(answers, [200]);
    const events = items(await t.admin.get(`/api/v1/tickets/${tk.number}/events?limit=200`)) as unknown as { action: string; from: unknown; to: unknown }[];
    const chain = (action: string) => events.filter((e) => e.action === action);
    let prev: unknown = 'medium';
    for (const e of chain('priority_changed')) {
      expect(e.from).toBe(prev);
      prev = e.to;
    }
    expect((await t.admin.get(`/api/v1/tickets/${tk.number}`)).json().priority).toBe(prev);
    let tags: unknown = [];
    for (const e of chain('tags_changed')) {
      expect(e.from).toEqual(tags);
      tags = e.to;
    }
    expect(chain('tags_changed')).toHaveLength(6);
    expect(tags).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
  });

  // PostgreSQL only, with a row lock held by the test: the later-started change reaches the lock first.
  it.skipIf(dialect !== 'postgres')('a change that waited for the ticket is never dated before the change it waited for', async () => {
    const tk = await createTicket(t.admin);
    // The new ticket's event delivery also takes its row: done first, it waits for no lock below.
    await t.deps.events.idle();
    await t.deps.jobs.drain();
    await t.deps.events.idle();
    const db = t.deps.database.db;
    const holder = await holdTicketRow(db, tk.number);
    const start = t.clock.now().getTime();
    t.clock.set(new Date(start + 60_000).toISOString());
    const first = agent.patch(`/api/v1/tickets/${tk.number}`, { priority: 'high' });
    await lockWaiters(db, 1);
    // A request that began earlier (its time is taken as it starts) and was slower to the lock.
    t.clock.set(new Date(start + 30_000).toISOString());
    const second = agent.patch(`/api/v1/tickets/${tk.number}`, { priority: 'urgent' });
    await lockWaiters(db, 2);
    await holder.release();
    expect([(await first).statusCode, (await second).statusCode]).toEqual([200, 200]);
    const after = (await t.admin.get(`/api/v1/tickets/${tk.number}`)).json();
    expect(after).toMatchObject({ priority: 'urgent', updatedAt: new Date(start + 60_000).toISOString() });
    const moves = items(await t.admin.get(`/api/v1/tickets/${tk.number}/events?action=priority_changed`)) as unknown as { from: string; to: string; at: string }[];
    expect(moves.map((e) => `${e.from}>${e.to}`)).toEqual(['medium>high', 'high>urgent']);
    expect(moves[1]!.at >= moves[0]!.at).toBe(true);
    t.clock.set(new Date(start + 120_000).toISOString());
  });

  // PostgreSQL only: a rule job and a request run side by side there. The job's read is made to
  // fall between the agent's request taking the ticket and committing: a row lock held by the
  // test queues the agent's close first, and the rule job then reads before the close commits.
  it.skipIf(dialect !== 'postgres')('a rule running while an agent closes the ticket acts on the closed ticket, never on what it read before', async () => {
    const made = await t.admin.post('/api/v1/automations/rules', { name: 'Work it', kind: 'trigger', events: ['ticket.updated'], conditions: { filter: 'tag:ruled' }, actions: [{ type: 'set_status', status: 'in_progress' }] });
    expect(made.statusCode, made.body).toBe(201);
    const tk = await createTicket(t.admin, { tags: ['ruled'] });
    const settle = async () => {
      await t.deps.events.idle();
      await t.deps.jobs.drain();
      await t.deps.events.idle();
    };
    await settle();
    expect((await agent.patch(`/api/v1/tickets/${tk.number}`, { status: 'waiting' })).statusCode).toBe(200);
    // Its ticket.updated has queued a rule run; nothing has run it yet.
    await t.deps.events.idle();
    const db = t.deps.database.db;
    const waitingOnLocks = (n: number) => lockWaiters(db, n);
    const holder = await holdTicketRow(db, tk.number);
    const close = agent.patch(`/api/v1/tickets/${tk.number}`, { status: 'closed' });
    await waitingOnLocks(1);
    const rules = t.deps.jobs.drain();
    await waitingOnLocks(2);
    await holder.release();
    expect((await close).statusCode).toBe(200);
    await rules;
    await settle();
    expect((await t.admin.get(`/api/v1/tickets/${tk.number}`)).json().status).toBe('closed');
    const moves = items(await t.admin.get(`/api/v1/tickets/${tk.number}/events?action=status_changed`)) as unknown as { from: string; to: string }[];
    expect(moves.map((e) => `${e.from}>${e.to}`)).toEqual(['open>waiting', 'waiting>closed']);
  });

  // PostgreSQL only, as above: the customer's reply is processed while the ticket it answers is
  // being merged (the merge holds the ticket's row until it commits).
  it.skipIf(dialect !== 'postgres')("a customer's mail racing a merge of its ticket goes on in the merge target, not in a follow-up of the merged ticket", async () => {
    await setupSupportMailbox(t, 'race@acme.test');
    const first = await deliverAndProcess(t, mail({ from: 'racer@customer.test', to: 'race@acme.test', subject: 'Racing printer', messageId: '<race-1@customer.test>' }), 'race@acme.test');
    const source = first.ticketNumber!;
    const target = await createTicket(t.admin, { subject: 'Merge target for the race' });
    const db = t.deps.database.db;
    // Plays the merge: holds the source's row, and marks it merged before letting go.
    const merge = await holdTicketRow(db, source, async (trx) => {
      await sql`UPDATE tickets SET merged_into_id = ${target.id}, status = 'closed', is_open = 0 WHERE number = ${source}`.execute(trx);
    });
    const reply = mail({ from: 'racer@customer.test', to: 'race@acme.test', subject: 'Re: Racing printer', messageId: '<race-2@customer.test>', headers: { 'In-Reply-To': '<race-1@customer.test>' }, body: 'Still racing' });
    const posted = await postRaw(t, reply, 'race@acme.test');
    expect(posted.statusCode).toBe(202);
    const processing = t.deps.jobs.drain();
    await lockWaiters(db, 1);
    await merge.release();
    await processing;
    expect((await inbound(t, posted.json().id)).ticketNumber).toBe(target.number);
    expect((await messagesOf(t, target.number)).map((m) => m.bodyText)).toContain('Still racing');
  });

  // PostgreSQL only: the event dispatcher takes the tickets of a batch in number order before its
  // subscribers change them in event order, as bulk changes and merges take them, so it never
  // holds a later ticket while it waits for an earlier one.
  it.skipIf(dialect !== 'postgres')('the event dispatcher takes the tickets of a batch in number order, so it never holds one while waiting for an earlier one', async () => {
    const first = await createTicket(t.admin, { subject: 'Dispatch order first' });
    const second = await createTicket(t.admin, { subject: 'Dispatch order second' });
    await t.deps.events.idle();
    const db = t.deps.database.db;
    const mine = new Set([first.id, second.id]);
    // Plays a subscriber that writes the ticket of each event, as SLA clocks and rules do.
    t.deps.events.subscribe('ticket.updated', async (event, trx) => {
      const p = event.payload as { ticketId: string };
      if (mine.has(p.ticketId)) await sql`UPDATE tickets SET updated_at = updated_at WHERE id = ${p.ticketId}`.execute(trx);
    });
    let release!: () => void;
    let held!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const holding = new Promise<void>((r) => (held = r));
    let secondWasFree: boolean | null = null;
    const holder = db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM tickets WHERE id = ${first.id} FOR UPDATE`.execute(trx);
      held();
      await gate;
      // A request that takes the second ticket now must not find the dispatcher holding it.
      secondWasFree = await sql`SELECT 1 FROM tickets WHERE id = ${second.id} FOR UPDATE NOWAIT`.execute(trx).then(
        () => true,
        () => false,
      );
    });
    await holding;
    // The second ticket's event first: delivery order alone would take it before the first.
    const ctx = t.systemCtx();
    await ctx.db.transaction().execute(async (trx) => {
      await emit({ ...ctx, db: trx }, 'ticket.updated', { ticketId: second.id, number: second.number, changes: ['priority_changed'] });
      await emit({ ...ctx, db: trx }, 'ticket.updated', { ticketId: first.id, number: first.number, changes: ['priority_changed'] });
    });
    const delivering = t.deps.events.idle();
    await lockWaiters(db, 1);
    release();
    await holder.catch(() => undefined);
    await delivering;
    expect(secondWasFree).toBe(true);
    mine.clear();
  });

  it('walks of lists and search pages while tickets are created and changed show no ticket twice and skip none that stayed as it was', async () => {
    const base: Item[] = [];
    for (let i = 0; i < 24; i++) {
      base.push(await createTicket(t.admin, { subject: `Walk kestrel ${i}`, tags: ['walk'] }));
      t.clock.advance(1000);
    }
    const changing = base.filter((_, i) => i % 6 === 0).map((x) => x.number);
    const steady = base.map((x) => x.number).filter((n) => !changing.includes(n));
    const meanwhile = (page: number) => {
      t.clock.advance(1000);
      return Promise.all([
        createTicket(agent, { subject: 'Walk kestrel late', tags: ['walk'] }),
        t.admin.patch(`/api/v1/tickets/${changing[page % changing.length]}`, { priority: page % 2 ? 'high' : 'low', subject: `Walk kestrel changed ${page}` }),
        agent.post(`/api/v1/tickets/${changing[(page + 1) % changing.length]}/messages`, { kind: 'note', body: 'kestrel note' }),
      ]);
    };
    // Sorted by a key that changes (updated ascending), a changed ticket moves behind the cursor
    // and may be met again; every other order must never repeat one.
    for (const sort of ['updated_desc', 'created_desc', 'created_asc', 'number_asc']) {
      const seen = await walk(`/api/v1/tickets?limit=5&sort=${sort}&q=tag%3Awalk`, (url) => agent.get(url), meanwhile);
      expect([sort, duplicates(seen)]).toEqual([sort, []]);
      expect([sort, steady.filter((n) => !seen.includes(n))]).toEqual([sort, []]);
    }
    const found = await walk('/api/v1/search?q=kestrel&limit=5', (url) => agent.get(url), meanwhile);
    expect(duplicates(found)).toEqual([]);
    expect(steady.filter((n) => !found.includes(n))).toEqual([]);
    // Once it is quiet, each view's count is the length of its list.
    await t.deps.events.idle();
    const views = items(await agent.get('/api/v1/views')) as unknown as { id: string; count?: number }[];
    for (const view of views.filter((v) => v.count !== undefined)) {
      const listed = await walk(`/api/v1/tickets?limit=50&view=${view.id}`, (url) => agent.get(url), async () => undefined);
      expect([view.id, listed.length]).toEqual([view.id, view.count]);
    }
  }, 120_000);
});

/**
 * Two Tessera processes (own pools, dispatchers and job runners) on one PostgreSQL database, as
 * in the scale-out deployment. SQLite runs a single process.
 */
const PG_BASE = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const pgRuns = process.env.REQUIRE_POSTGRES === '1' || (globalThis as { __pgUp?: boolean }).__pgUp === true;

interface Proc {
  deps: AppDeps;
  app: AppInstance;
  dataDir: string;
}

async function startProcess(url: string): Promise<Proc> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-conc-'));
  const deps = await openSystem(loadConfig({ DATABASE_URL: url, TESSERA_DATA_DIR: dataDir, LOG_LEVEL: 'silent', TESSERA_PG_POOL_SIZE: '4' }), { log: { info: () => undefined, error: () => undefined } });
  return { deps, app: await buildApp(deps), dataDir };
}

(pgRuns ? describe : describe.skip)('two server processes on one database [postgres]', () => {
  const url = `${PG_BASE}/tessera_conc_${process.pid}_${randomBytes(4).toString('hex')}`;
  let a: Proc;
  let b: Proc;
  let token: string;
  const call = (p: Proc, method: 'GET' | 'POST' | 'PATCH', path: string, payload?: object) =>
    p.app.inject({ method, url: path, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  const create = (p: Proc, subject: string) => call(p, 'POST', '/api/v1/tickets', { subject, requester: { email: 'two.procs@customer.test' }, message: { body: `opening of ${subject}` } });

  beforeAll(async () => {
    a = await startProcess(url);
    b = await startProcess(url);
    const ctx: Ctx = { actor: systemActor('test'), requestId: 'test', now: new Date(), db: a.deps.database.db, events: a.deps.events };
    await ensureFirstAdmin(ctx, { email: 'root@tessera.test', password: 'root password 1' });
    const admin = await createUser(ctx, { email: 'procs@tessera.test', name: 'Pat Procs', role: 'admin', password: 'correct horse battery', restrictedToGroups: false, skills: [], maxLoad: null, available: true, groupIds: [], contactId: null });
    token = (await createApiToken(ctx, { name: 'procs', scopes: ['read', 'write', 'admin'], expiresAt: null, userId: admin.id })).token;
  });
  afterAll(async () => {
    for (const p of [a, b]) {
      if (!p) continue;
      await p.app.close();
      await p.deps.jobs.stop();
      await p.deps.events.idle();
      await p.deps.database.close();
      rmSync(p.dataDir, { recursive: true, force: true });
    }
    await dropPostgresDatabase(url);
  });

  it('tickets created at once on both processes get unique numbers, one after another', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i % 2 ? a : b, `Numbered ${i}`)));
    expectSettled(answers, [201]);
    const numbers = answers.map((r) => r.json().number as number).sort((x, y) => x - y);
    expect(duplicates(numbers)).toEqual([]);
    // Nothing was rolled back, so no number was skipped either.
    expect(numbers[numbers.length - 1]! - numbers[0]!).toBe(numbers.length - 1);
  });

  it('merges crossing between the processes end with each ticket merged at most once and every message kept', async () => {
    for (let round = 0; round < 4; round++) {
      const [x, y, z] = await Promise.all([create(a, `X${round}`), create(b, `Y${round}`), create(a, `Z${round}`)]).then((rs) => rs.map((r) => r.json().number as number));
      const answers = await Promise.all([
        call(a, 'POST', `/api/v1/tickets/${y}/merge`, { sourceNumbers: [x] }),
        call(b, 'POST', `/api/v1/tickets/${x}/merge`, { sourceNumbers: [y] }),
        call(b, 'POST', `/api/v1/tickets/${z}/merge`, { sourceNumbers: [y] }),
        call(a, 'POST', `/api/v1/tickets/${x}/messages`, { kind: 'reply', body: 'from A' }),
        call(b, 'PATCH', `/api/v1/tickets/${y}`, { priority: 'urgent' }),
      ]);
      expectSettled(answers);
      let total = 0;
      for (const n of [x, y, z]) {
        const now = (await call(a, 'GET', `/api/v1/tickets/${n}`)).json();
        const messages = items(await call(b, 'GET', `/api/v1/tickets/${n}/messages`));
        expect(now.messageCount).toBe(messages.length);
        if (now.mergedIntoNumber) expect(now.status).toBe('closed');
        total += messages.length;
      }
      expect(total).toBe(3 + (answers[3]!.statusCode === 201 ? 1 : 0));
    }
  });
});
