import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

interface BatchItem {
  id: string;
  number: number;
  requesterId: string;
  messageId: string;
}

describeEachDialect('batch create (POST /tickets/batch)', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Batch Agent' });
  });
  afterAll(async () => t?.close());

  const batch = (api: ApiClient, tickets: unknown[]) => api.post('/api/v1/tickets/batch', { tickets });
  const allNumbers = async (): Promise<number[]> => {
    const out: number[] = [];
    let cursor: string | null = null;
    do {
      const page = (await t.admin.get(`/api/v1/tickets?sort=number_asc&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json() as { items: { number: number }[]; nextCursor: string | null };
      out.push(...page.items.map((x) => x.number));
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };

  it('creates every ticket as POST /tickets would: requester found or made once per address, fields, first message, events, search, in the order sent', async () => {
    const group = (await t.admin.post('/api/v1/groups', { name: 'Batch desk' })).json().id as string;
    const known = (await t.admin.post('/api/v1/contacts', { name: 'Known Kim', emails: ['kim@known.test'] })).json().id as string;
    const res = await batch(agent, [
      { subject: 'Invoice 7781 missing', requester: { email: 'New.Nora@Batch.test', name: 'Nora New' }, message: { body: 'The invoice for order zebrafinch never arrived.' }, tags: ['billing'], priority: 'high' },
      { subject: 'Second from Nora', requester: { email: 'new.nora@batch.test' }, message: { body: '<p>Also the <b>receipt</b> quokkaword</p>', format: 'html' }, assigneeId: agent.userId, groupId: group },
      { subject: 'From a known contact', requesterId: known, message: { body: 'Hello again' }, channel: 'phone', type: 'incident' },
    ]);
    expect(res.statusCode).toBe(201);
    const items = res.json().items as BatchItem[];
    expect(items).toHaveLength(3);
    expect(items[1]!.number).toBeGreaterThan(items[0]!.number);
    expect(items[2]!.number).toBeGreaterThan(items[1]!.number);
    // Two items from one new address made one contact; the known contact was reused.
    expect(items[0]!.requesterId).toBe(items[1]!.requesterId);
    expect(items[2]!.requesterId).toBe(known);
    const nora = (await t.admin.get(`/api/v1/contacts/${items[0]!.requesterId}`)).json();
    expect(nora).toMatchObject({ name: 'Nora New', emails: ['new.nora@batch.test'] });

    const get = async (n: number) => (await agent.get(`/api/v1/tickets/${n}`)).json();
    expect(await get(items[0]!.number)).toMatchObject({ subject: 'Invoice 7781 missing', status: 'open', priority: 'high', channel: 'api', tags: ['billing'], messageCount: 1 });
    // Assigning at creation starts the ticket in progress, as a single create does.
    expect(await get(items[1]!.number)).toMatchObject({ status: 'in_progress', assignee: { id: agent.userId }, groupId: group });
    expect(await get(items[2]!.number)).toMatchObject({ channel: 'phone', type: 'incident', status: 'open' });

    const messages = (await agent.get(`/api/v1/tickets/${items[1]!.number}/messages`)).json().items as { id: string; kind: string; bodyHtml: string; bodyText: string }[];
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ id: items[1]!.messageId, kind: 'customer' });
    expect(messages[0]!.bodyHtml).toContain('<b>receipt</b>');
    const events = (await agent.get(`/api/v1/tickets/${items[0]!.number}/events`)).json().items as { action: string }[];
    expect(events.map((e) => e.action)).toEqual(['created', 'message_added']);

    const found = async (q: string) => ((await agent.get(`/api/v1/search?q=${encodeURIComponent(q)}`)).json().items as { number: number }[]).map((x) => x.number);
    expect(await found('zebrafinch')).toEqual([items[0]!.number]);
    expect(await found('quokkaword')).toEqual([items[1]!.number]);
    expect(await found('7781')).toEqual([items[0]!.number]);
    expect((await found('nora')).sort()).toEqual([items[0]!.number, items[1]!.number].sort());
  });

  it('sets off what a new ticket sets off: rules, SLA clocks', async () => {
    const target = (firstResponse: number) => ({ firstResponse, nextResponse: null, resolution: null });
    expect((await t.admin.post('/api/v1/sla/policies', { name: 'Batch SLA', condition: 'tag:slabatch', targets: { low: target(240), medium: target(60), high: target(30), urgent: target(15) } })).statusCode).toBe(201);
    expect((await t.admin.post('/api/v1/automations/rules', { name: 'Batch urgent', kind: 'trigger', events: ['ticket.created'], conditions: { filter: 'tag:rulebatch' }, actions: [{ type: 'set_priority', priority: 'urgent' }] })).statusCode).toBe(201);
    const res = await batch(agent, [
      { subject: 'Rule me', requester: { email: 'rule@batch.test' }, message: { body: 'x' }, tags: ['rulebatch'] },
      { subject: 'Clock me', requester: { email: 'rule@batch.test' }, message: { body: 'y' }, tags: ['slabatch'] },
      { subject: 'Clock me low', requester: { email: 'rule@batch.test' }, message: { body: 'z' }, tags: ['slabatch'], priority: 'low' },
      { subject: 'Clock me urgent', requester: { email: 'rule@batch.test' }, message: { body: 'w' }, tags: ['slabatch'], priority: 'urgent' },
    ]);
    expect(res.statusCode).toBe(201);
    await t.deps.events.idle();
    await t.deps.jobs.drain();
    await t.deps.events.idle();
    const [ruled, ...clocked] = res.json().items as BatchItem[];
    expect((await agent.get(`/api/v1/tickets/${ruled!.number}`)).json().priority).toBe('urgent');
    // Each ticket of the batch runs its own clock, timed by its own priority.
    const minutes: number[] = [];
    for (const item of clocked) {
      const ticket = (await agent.get(`/api/v1/tickets/${item.number}`)).json();
      expect(ticket.sla).toMatchObject({ target: 'first_response', breached: false });
      minutes.push((Date.parse(ticket.sla.dueAt) - Date.parse(ticket.createdAt)) / 60_000);
      expect((await agent.get(`/api/v1/tickets/${item.number}/sla`)).json().policy).toMatchObject({ name: 'Batch SLA' });
    }
    expect(minutes).toEqual([60, 240, 15]);
  });

  it('is all or none: a bad item is named by its place and nothing of the batch is kept', async () => {
    await t.admin.post('/api/v1/custom-fields', { key: 'plan', label: 'Plan', type: 'dropdown', options: ['free', 'pro'] });
    const before = await allNumbers();
    const ok = { subject: 'Fine', requester: { email: 'ghost@batch.test' }, message: { body: 'fine' } };
    const refused = async (tickets: unknown[], path: string) => {
      const res = await batch(agent, tickets);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      expect((res.json().error.details.fields as { path: string }[]).map((f) => f.path)).toContain(path);
    };
    await refused([ok, ok, { ...ok, customFields: { plan: 'gold' } }], 'tickets.2.customFields.plan');
    await refused([ok, { ...ok, customFields: { nosuch: 1 } }], 'tickets.1.customFields.nosuch');
    await refused([ok, { ...ok, assigneeId: '018f0000-0000-7000-8000-000000000000' }], 'tickets.1.assigneeId');
    await refused([{ ...ok, requesterId: '018f0000-0000-7000-8000-000000000000', requester: undefined }], 'tickets.0.requesterId');
    await refused([ok, { ...ok, requester: undefined }], 'tickets.1.requester');
    await refused([ok, { ...ok, requesterId: '018f0000-0000-7000-8000-000000000000' }], 'tickets.1.requester');
    const both = await agent.post('/api/v1/tickets', { ...ok, requesterId: '018f0000-0000-7000-8000-000000000000' });
    expect([both.statusCode, both.json().error.details.fields[0].path]).toEqual([400, 'requester']);
    await refused([ok, { ...ok, message: { body: '<p> </p>', format: 'html' } }], 'tickets.1.message.body');
    await refused([ok, { requester: ok.requester, message: ok.message }], 'body.tickets.1.subject');
    await refused([ok, { ...ok, colour: 'red' }], 'body.tickets.1.colour');
    await refused([], 'body.tickets');
    await refused(Array.from({ length: 1001 }, () => ok), 'body.tickets');
    expect((await batch(agent, [ok, ok]).then((r) => r.json().items as BatchItem[])).length).toBe(2);
    const after = await allNumbers();
    expect(after.length).toBe(before.length + 2);
    // The contact of the refused batches was not kept either: it came with the batch that stood.
    const contacts = (await t.admin.get('/api/v1/contacts?q=ghost%40batch.test')).json().items as unknown[];
    expect(contacts).toHaveLength(1);
  });

  it('takes uploads per item, and refuses one upload named by two items', async () => {
    const boundary = '----tessera';
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="log.txt"\r\nContent-Type: text/plain\r\n\r\n`), Buffer.from('error 42'), Buffer.from(`\r\n--${boundary}--\r\n`)]),
    });
    expect(up.statusCode).toBe(201);
    const id = up.json().id as string;
    const item = (attachmentIds: string[]) => ({ subject: 'With a file', requester: { email: 'files@batch.test' }, message: { body: 'see file', attachmentIds } });
    const twice = await batch(agent, [item([id]), item([id])]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error.details.fields[0].path).toBe('tickets.1.message.attachmentIds');
    const res = await batch(agent, [item([]), item([id])]);
    expect(res.statusCode).toBe(201);
    const [, withFile] = res.json().items as BatchItem[];
    const messages = (await agent.get(`/api/v1/tickets/${withFile!.number}/messages`)).json().items as { attachments: { id: string }[] }[];
    expect(messages[0]!.attachments.map((a) => a.id)).toEqual([id]);
  });

  it('is for staff: a customer gets 403', async () => {
    const contact = (await t.admin.post('/api/v1/contacts', { name: 'Cust', emails: ['cust@batch.test'] })).json().id as string;
    const customer = await t.user({ role: 'customer', contactId: contact });
    // Customers sign in (the portal); they hold no API tokens.
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: customer.email, password: 'correct horse battery' } });
    expect(login.statusCode).toBe(200);
    const cookie = `tessera_session=${login.cookies.find((c) => c.name === 'tessera_session')!.value}`;
    const tickets = [{ subject: 'Mine', message: { body: 'hi' } }];
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tickets/batch', headers: { cookie, 'x-csrf-token': login.json().csrfToken as string }, payload: { tickets } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    // The same session may create its one ticket.
    const single = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { cookie, 'x-csrf-token': login.json().csrfToken as string }, payload: tickets[0] });
    expect(single.statusCode).toBe(201);
  });

  describe('numbers', () => {
    it('stay unique and in sequence when batches and single creates race', async () => {
      const before = await allNumbers();
      const one = (k: number) => ({ subject: `Race ${k}`, requester: { email: `race${k % 7}@batch.test` }, message: { body: `race ${k}` } });
      const [batches, singles] = await Promise.all([
        Promise.all([
          batch(agent, Array.from({ length: 40 }, (_, k) => one(k))),
          batch(t.admin, Array.from({ length: 40 }, (_, k) => one(100 + k))),
          batch(agent, Array.from({ length: 40 }, (_, k) => one(200 + k))),
        ]),
        Promise.all(Array.from({ length: 10 }, (_, k) => createTicket(agent, { subject: `Single ${k}`, requester: { email: `race${k % 7}@batch.test` } }))),
      ]);
      const numbers: number[] = singles.map((x) => x.number);
      for (const r of batches) {
        expect(r.statusCode).toBe(201);
        const items = r.json().items as BatchItem[];
        // Ascending within a batch, whatever ran beside it.
        expect(items.map((x) => x.number)).toEqual([...items.map((x) => x.number)].sort((a, b) => a - b));
        numbers.push(...items.map((x) => x.number));
      }
      expect(new Set(numbers).size).toBe(130);
      const after = await allNumbers();
      expect(after.length).toBe(before.length + 130);
      expect(Math.min(...numbers)).toBeGreaterThan(Math.max(0, ...before));
      // Seven addresses across racing requests: seven contacts, not one per request.
      const contacts = (await t.admin.get('/api/v1/contacts?q=race&limit=100')).json().items as unknown[];
      expect(contacts).toHaveLength(7);
    });
  });
});
