import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { settle } from '../mail/outbound-support.js';

const CTI = '/api/v1/channels/phone/events';
const SECRET = 'cti-shared-secret-0123456789';

describeEachDialect('phone: logged calls, CTI webhook, callbacks', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  const due: { callbackId: string; userId: string; number: number; dueAt: string }[] = [];
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Paula Phone' });
    t.deps.events.subscribe('callback.due', (event) => {
      due.push(event.payload as (typeof due)[number]);
    });
    expect((await t.admin.patch('/api/v1/channels/settings/phone', { ctiSecret: SECRET })).json()).toEqual({ ctiSecretSet: true });
  });
  afterAll(() => t.close());

  const messagesOf = async (n: number) => (await t.admin.get(`/api/v1/tickets/${n}/messages`)).json<{ items: { kind: string; bodyText: string }[] }>().items;

  it('logs an inbound call as a new phone ticket, adding the unknown caller as a contact', async () => {
    const res = await agent.post('/api/v1/calls', { number: '+44 20 7946 0001', direction: 'inbound', durationSeconds: 200, notes: 'Wants a refund for order 7', recordingUrl: 'https://recordings.example/1.mp3' });
    expect(res.statusCode).toBe(201);
    const call = res.json();
    expect(call).toMatchObject({ direction: 'inbound', number: '+442079460001', durationSeconds: 200, userId: agent.userId });
    const ticket = (await t.admin.get(`/api/v1/tickets/${call.ticketNumber}`)).json();
    expect(ticket).toMatchObject({ channel: 'phone', subject: 'Inbound call from +442079460001' });
    const contact = (await t.admin.get(`/api/v1/contacts/${ticket.requester.id}`)).json();
    expect(contact.phones).toEqual(['+442079460001']);
    const msgs = await messagesOf(call.ticketNumber);
    const note = msgs.find((m) => m.kind === 'note')!;
    expect(note.bodyText).toContain('Inbound call from +442079460001 (3 min 20 s)');
    expect(note.bodyText).toContain('Wants a refund for order 7');
    expect(note.bodyText).toContain('Recording: https://recordings.example/1.mp3');
    const events = (await t.admin.get(`/api/v1/tickets/${call.ticketNumber}/events`)).json<{ items: { action: string }[] }>().items;
    expect(events.map((e) => e.action)).toContain('call_logged');
    const calls = (await t.admin.get(`/api/v1/tickets/${call.ticketNumber}/calls`)).json().items;
    expect(calls).toHaveLength(1);
  });

  it('takes a subject for the new ticket only if it shows something', async () => {
    const call = { number: '+44 20 7946 0002', direction: 'inbound', durationSeconds: 60 };
    const invisible = await agent.post('/api/v1/calls', { ...call, subject: '\u200b\u00ad ' });
    expect([invisible.statusCode, invisible.json().error.details.fields[0].path]).toEqual([400, 'body.subject']);
    const edged = await agent.post('/api/v1/calls', { ...call, subject: '\u200bRouter keeps rebooting\ufeff' });
    expect(edged.statusCode).toBe(201);
    expect((await t.admin.get(`/api/v1/tickets/${edged.json().ticketNumber}`)).json().subject).toBe('Router keeps rebooting');
  });

  it('logs an outbound call on an existing ticket and matches the known contact by number, whatever the formatting', async () => {
    const c = await t.admin.post('/api/v1/contacts', { name: 'Known Caller', emails: ['known@phone.test'], phones: ['+1 555 200 3000'] });
    expect(c.statusCode).toBe(201);
    const ticket = await createTicket(t.admin, { subject: 'Billing question', requesterId: c.json().id });
    const res = await agent.post('/api/v1/calls', { number: '+1 (555) 200-3000', direction: 'outbound', durationSeconds: 45, ticketNumber: ticket.number });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ ticketNumber: ticket.number, contactId: c.json().id });
    expect((await messagesOf(ticket.number)).at(-1)!.bodyText).toContain('Outbound call to +15552003000 (45 s)');
    const bad = await agent.post('/api/v1/calls', { number: 'call me', direction: 'sideways', durationSeconds: -1 });
    expect(bad.statusCode).toBe(400);
    // A ticket merged away takes no call: a conflict that names where the conversation went on.
    const into = await createTicket(t.admin, { subject: 'Billing, merged' });
    expect((await t.admin.post(`/api/v1/tickets/${into.number}/merge`, { sourceNumbers: [ticket.number] })).statusCode).toBe(200);
    const merged = await agent.post('/api/v1/calls', { number: '+1 555 200 3000', direction: 'inbound', durationSeconds: 5, ticketNumber: ticket.number });
    expect([merged.statusCode, merged.json().error.code, merged.json().error.details]).toEqual([409, 'conflict', { number: ticket.number, mergedIntoNumber: into.number }]);
  });

  function cti(body: object, opts: { secret?: string; timestamp?: number } = {}) {
    const raw = JSON.stringify(body);
    const ts = String(opts.timestamp ?? Math.floor(t.clock.now().getTime() / 1000));
    const sig = `sha256=${createHmac('sha256', opts.secret ?? SECRET).update(`${ts}.${raw}`).digest('hex')}`;
    return t.app.inject({ method: 'POST', url: CTI, headers: { 'content-type': 'application/json', 'x-tessera-timestamp': ts, 'x-tessera-signature': sig }, payload: raw });
  }

  it('creates the call from a signed CTI event once, and refuses wrong signatures and stale timestamps', async () => {
    const event = { callId: `pbx-${dialect}-1`, direction: 'inbound', from: '+15559990000', to: '+15550001111', durationSeconds: 61, agentEmail: agent.email, notes: 'From the PBX' };
    const forged = await cti(event, { secret: 'not-the-secret-at-all' });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('signature_invalid');
    const stale = await cti(event, { timestamp: Math.floor(t.clock.now().getTime() / 1000) - 3600 });
    expect(stale.statusCode).toBe(403);
    const unsigned = await t.app.inject({ method: 'POST', url: CTI, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(event) });
    expect(unsigned.statusCode).toBe(403);
    expect((await t.admin.get('/api/v1/contacts?q=%2B15559990000')).json().items).toHaveLength(0);

    const ok = await cti(event);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ externalId: `pbx-${dialect}-1`, number: '+15559990000', userId: agent.userId, durationSeconds: 61 });
    const again = await cti(event);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(ok.json().id);
    const ticket = (await t.admin.get(`/api/v1/tickets/${ok.json().ticketNumber}`)).json();
    expect(ticket.channel).toBe('phone');

    const invalid = await cti({ callId: 'x', direction: 'inbound' });
    expect(invalid.statusCode).toBe(400);
  });

  it('lists callbacks and emits callback.due once when the booked time arrives', async () => {
    const ticket = await createTicket(t.admin, { subject: 'Call me back' });
    const start = t.clock.now().getTime();
    const dueAt = new Date(start + 3600_000).toISOString();
    const res = await agent.post('/api/v1/callbacks', { ticketNumber: ticket.number, dueAt, number: '+15550102030', notes: 'After lunch' });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    const mine = (await agent.get('/api/v1/callbacks')).json().items;
    expect(mine).toEqual([expect.objectContaining({ id, ticketNumber: ticket.number, ticketSubject: 'Call me back', status: 'scheduled', dueAt, number: '+15550102030' })]);
    // Agents see only their own; supervisors (admin here) may list everyone's.
    expect((await agent.get('/api/v1/callbacks?user=all')).statusCode).toBe(403);
    expect((await t.admin.get('/api/v1/callbacks?user=all')).json().items.map((c: { id: string }) => c.id)).toContain(id);

    await settle(t);
    t.clock.set(new Date(start + 3600_000 - 1000));
    await settle(t);
    expect(due.filter((d) => d.callbackId === id)).toHaveLength(0);

    t.clock.set(new Date(start + 3600_000));
    await settle(t);
    expect(due.filter((d) => d.callbackId === id)).toEqual([expect.objectContaining({ callbackId: id, userId: agent.userId, number: ticket.number, dueAt })]);
    const after = (await agent.get('/api/v1/callbacks')).json().items.find((c: { id: string }) => c.id === id);
    expect(after).toMatchObject({ status: 'due', notifiedAt: new Date(start + 3600_000).toISOString() });

    const done = await agent.patch(`/api/v1/callbacks/${id}`, { status: 'done' });
    expect(done.json().status).toBe('done');
    expect((await agent.get('/api/v1/callbacks')).json().items.find((c: { id: string }) => c.id === id)).toBeUndefined();
    t.clock.advance(3600_000);
    await settle(t);
    expect(due.filter((d) => d.callbackId === id)).toHaveLength(1);
  });

  it('fires a moved callback at its new time only', async () => {
    const ticket = await createTicket(t.admin, { subject: 'Moved callback' });
    const start = t.clock.now().getTime();
    const res = await agent.post('/api/v1/callbacks', { ticketNumber: ticket.number, dueAt: new Date(start + 600_000).toISOString(), number: '+15550102031' });
    const id = res.json().id;
    const later = new Date(start + 1800_000).toISOString();
    expect((await agent.patch(`/api/v1/callbacks/${id}`, { dueAt: later })).json()).toMatchObject({ dueAt: later, status: 'scheduled' });
    t.clock.set(new Date(start + 600_000));
    await settle(t);
    expect(due.filter((d) => d.callbackId === id)).toHaveLength(0);
    t.clock.set(new Date(start + 1800_000));
    await settle(t);
    expect(due.filter((d) => d.callbackId === id)).toHaveLength(1);
  });

  it('a callback on a ticket the caller cannot see is left out of lists and answers as one that does not exist', async () => {
    const groupG = (await t.admin.post('/api/v1/groups', { name: 'Callback Gamma' })).json().id;
    const groupH = (await t.admin.post('/api/v1/groups', { name: 'Callback Hotel' })).json().id;
    const rita = await t.user({ role: 'agent', name: 'Rita Restricted', groupIds: [groupG], restrictedToGroups: true });
    const sven = await t.user({ role: 'supervisor', name: 'Sven Supervisor', groupIds: [groupG], restrictedToGroups: true });
    const inG = await createTicket(t.admin, { subject: 'Callback in gamma', groupId: groupG });
    const inH = await createTicket(t.admin, { subject: 'Secret hotel callback', groupId: groupH });
    const dueAt = new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString();
    // Booked by an admin for Rita, on a ticket of her group and on one of another group (or moved there since).
    const book = async (ticketNumber: number) => (await t.admin.post('/api/v1/callbacks', { ticketNumber, userId: rita.userId, dueAt, number: '+15550102040' })).json().id as string;
    const visible = await book(inG.number);
    const foreign = await book(inH.number);

    const ids = (items: { id: string }[]) => items.map((c) => c.id);
    const ritas = await rita.get('/api/v1/callbacks?status=all');
    expect(ids(ritas.json().items)).toEqual([visible]);
    expect(ritas.body).not.toContain('Secret hotel callback');
    const all = await sven.get('/api/v1/callbacks?user=all&status=all');
    expect(ids(all.json().items)).toContain(visible);
    expect(ids(all.json().items)).not.toContain(foreign);
    expect(ids((await sven.get(`/api/v1/callbacks?user=${rita.userId}`)).json().items)).toEqual([visible]);

    const missing = '00000000-0000-7000-8000-000000000000';
    for (const [who, client] of [['agent', rita], ['supervisor', sven]] as const) {
      for (const body of [{ status: 'done' }, { dueAt: new Date(t.clock.now().getTime() + 86_400_000).toISOString() }]) {
        const [res, none] = [await client.patch(`/api/v1/callbacks/${foreign}`, body), await client.patch(`/api/v1/callbacks/${missing}`, body)];
        expect(none.statusCode, who).toBe(404);
        expect(res.statusCode, who).toBe(404);
        expect(res.json(), who).toEqual(none.json());
      }
    }
    // Nothing changed; an unrestricted admin still sees it, and Rita may still finish the visible one.
    expect((await t.admin.get(`/api/v1/callbacks?user=${rita.userId}&status=all`)).json().items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: foreign, status: 'scheduled', dueAt, ticketNumber: inH.number })]),
    );
    expect((await rita.patch(`/api/v1/callbacks/${visible}`, { status: 'done' })).json()).toMatchObject({ id: visible, status: 'done' });
  });
});
