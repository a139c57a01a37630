import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { TestSocket } from '../realtime/ws-client.js';

/** Time spent on a ticket: logged by agents, listed with a total, edited by its author, audited. */
describeEachDialect('workspace: time entries', (dialect) => {
  let t: TestApp;
  let alice: ApiClient;
  let bob: ApiClient;
  let number: number;

  beforeAll(async () => {
    // 23:30 UTC on 2 March is already 3 March in Berlin.
    t = await createTestApp(dialect, { start: '2026-03-02T23:30:00.000Z' });
    alice = await t.user({ role: 'agent', name: 'Alice Agent' });
    bob = await t.user({ role: 'agent', name: 'Bob Agent' });
    number = (await createTicket(t.admin, { subject: 'Billable work' })).number;
  });
  afterAll(() => t.close());

  const entries = async (who: ApiClient = alice) => (await who.get(`/api/v1/tickets/${number}/time-entries`)).json();

  it('logs time with a date that defaults to today in the installation time zone, and totals it', async () => {
    expect((await t.admin.patch('/api/v1/settings', { timeZone: 'Europe/Berlin' })).statusCode).toBe(200);
    const first = await alice.post(`/api/v1/tickets/${number}/time-entries`, { minutes: 25, note: 'Reproduced the bug' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ ticketNumber: number, minutes: 25, note: 'Reproduced the bug', date: '2026-03-03', user: { id: alice.userId, name: 'Alice Agent' } });
    await bob.post(`/api/v1/tickets/${number}/time-entries`, { minutes: 50, date: '2026-03-01' });
    const list = await entries(bob);
    expect(list.totalMinutes).toBe(75);
    expect(list.items.map((e: { date: string; minutes: number }) => [e.date, e.minutes])).toEqual([
      ['2026-03-01', 50],
      ['2026-03-03', 25],
    ]);
  });

  it('rejects bad input naming the field', async () => {
    const cases: [object, string][] = [
      [{ minutes: 0 }, 'body.minutes'],
      [{ minutes: 2000 }, 'body.minutes'],
      [{ minutes: 10, date: '2026-02-30' }, 'body.date'],
      [{ minutes: 10, hours: 1 }, 'body.hours'],
      [{ minutes: 10, date: '0000-01-01' }, 'body.date'],
      [{ minutes: 10, date: '1900-06-01' }, 'body.date'],
      [{ minutes: 10, date: '1969-12-31' }, 'body.date'],
      // Today is 3 March in Berlin (set above): the 4th may be the agent's today, the 5th is not.
      [{ minutes: 10, date: '2026-03-05' }, 'date'],
      [{ minutes: 10, date: '2999-01-01' }, 'date'],
    ];
    for (const [body, path] of cases) {
      const res = await alice.post(`/api/v1/tickets/${number}/time-entries`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    }
    expect((await alice.post('/api/v1/tickets/999999/time-entries', { minutes: 5 })).statusCode).toBe(404);
  });

  it('takes 1970 up to tomorrow, on a change too, and refuses a ticket merged away as its messages do', async () => {
    // A ticket of its own: the history test below counts the shared ticket's changes.
    const own = (await createTicket(t.admin, { subject: 'Dated work' })).number;
    const early = await alice.post(`/api/v1/tickets/${own}/time-entries`, { minutes: 1, date: '1970-01-01' });
    expect(early.statusCode).toBe(201);
    expect((await alice.post(`/api/v1/tickets/${own}/time-entries`, { minutes: 1, date: '2026-03-04' })).statusCode).toBe(201);
    const future = await alice.patch(`/api/v1/time-entries/${early.json().id}`, { date: '2027-01-01' });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['date']);
    const past = await alice.patch(`/api/v1/time-entries/${early.json().id}`, { date: '1899-12-31' });
    expect(past.statusCode).toBe(400);

    const source = await createTicket(t.admin, { subject: 'Duplicate' });
    const target = await createTicket(t.admin, { subject: 'Original' });
    expect((await t.admin.post(`/api/v1/tickets/${target.number}/merge`, { sourceNumbers: [source.number] })).statusCode).toBe(200);
    const message = await alice.post(`/api/v1/tickets/${source.number}/messages`, { kind: 'note', body: 'late' });
    const logged = await alice.post(`/api/v1/tickets/${source.number}/time-entries`, { minutes: 5 });
    expect(logged.statusCode).toBe(409);
    expect(logged.json().error).toMatchObject({ code: message.json().error.code, message: `Ticket #${source.number} was merged into #${target.number}; write on that ticket` });
  });

  it('lets the author (or an admin) edit and delete an entry, nobody else', async () => {
    const mine = (await entries()).items.find((e: { user: { id: string } }) => e.user.id === alice.userId);
    expect((await bob.patch(`/api/v1/time-entries/${mine.id}`, { minutes: 1 })).statusCode).toBe(403);
    expect((await bob.delete(`/api/v1/time-entries/${mine.id}`)).statusCode).toBe(403);
    const edited = await alice.patch(`/api/v1/time-entries/${mine.id}`, { minutes: 40, note: 'Reproduced and fixed' });
    expect(edited.json()).toMatchObject({ minutes: 40, note: 'Reproduced and fixed', date: '2026-03-03' });
    expect((await entries()).totalMinutes).toBe(90);
    const bobs = (await entries()).items.find((e: { user: { id: string } }) => e.user.id === bob.userId);
    expect((await t.admin.delete(`/api/v1/time-entries/${bobs.id}`)).statusCode).toBe(200);
    expect((await entries()).totalMinutes).toBe(40);
    expect((await alice.patch(`/api/v1/time-entries/${bobs.id}`, { minutes: 3 })).statusCode).toBe(404);
  });

  it('records each change in the ticket history, without the internal note text', async () => {
    const history = (await t.admin.get(`/api/v1/tickets/${number}/events?action=time_logged,time_entry_changed,time_entry_deleted`)).json().items as { action: string; actor: { id: string }; from: unknown; to: unknown }[];
    expect(history.map((e) => e.action)).toEqual(['time_logged', 'time_logged', 'time_entry_changed', 'time_entry_deleted']);
    expect(history[2]).toMatchObject({ actor: { id: alice.userId }, from: { minutes: 25 }, to: { minutes: 40 } });
    expect(JSON.stringify(history)).not.toContain('Reproduced');
  });

  it('tells agents watching the ticket the new total, live', async () => {
    // What the tests before set off is delivered first: an earlier total must not reach the socket.
    await t.deps.events.idle();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const s = await TestSocket.open(`ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/ws?token=${bob.token}`);
    await s.subscribe([`ticket:${number}`]);
    await alice.post(`/api/v1/tickets/${number}/time-entries`, { minutes: 5 });
    await t.deps.events.idle();
    expect((await s.event('ticket.time_logged', number)).data).toMatchObject({ number, totalMinutes: 45 });
    s.close();
  });

  it('is for staff only, and the customer does not see it in the ticket history', async () => {
    const tk = await createTicket(t.admin, { subject: 'Customer view', requester: { email: `tc-${dialect}@customer.test` } });
    expect((await t.admin.post(`/api/v1/tickets/${tk.number}/time-entries`, { minutes: 30, note: 'Internal effort' })).statusCode).toBe(201);
    const cust = await t.user({ role: 'customer', email: `tc-${dialect}@portal.test`, contactId: (tk.requester as { id: string }).id });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: cust.email, password: 'correct horse battery' } });
    const cookie = `tessera_session=${login.cookies.find((c) => c.name === 'tessera_session')!.value}`;
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${tk.number}/time-entries`, headers: { cookie } });
    expect(res.statusCode).toBe(403);
    const staffHistory = await t.admin.get(`/api/v1/tickets/${tk.number}/events`);
    expect(staffHistory.body).toContain('time_logged');
    const history = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${tk.number}/events`, headers: { cookie } });
    expect(history.statusCode).toBe(200);
    expect(history.json().items.map((e: { action: string }) => e.action)).toEqual(['created', 'message_added']);
  });
});
