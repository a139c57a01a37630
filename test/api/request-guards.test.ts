import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

/** A raw GET over a real socket: inject() never meets Node's HTTP parser and its limits. */
function rawGet(port: number, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describeEachDialect('request guards: nesting, unicode, header size, error shape, races, partial settings', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('JSON nested thousands deep is a 400 naming the body, on public and signed-in routes alike', async () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    const pub = await t.app.inject({ method: 'POST', url: '/api/v1/portal/sign-in-link', headers: { 'content-type': 'application/json' }, payload: `{"email":${deep}}` });
    expect(pub.statusCode, pub.body).toBe(400);
    expect(pub.json().error.details.fields[0]).toMatchObject({ path: expect.stringMatching(/^body\.email/), message: expect.stringMatching(/nested/) });
    const before = (await t.admin.get('/api/v1/tickets')).json().items.length;
    const create = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'application/json' }, payload: `{"subject":"x","tags":${deep}}` });
    expect(create.statusCode).toBe(400);
    expect((await t.admin.get('/api/v1/tickets')).json().items).toHaveLength(before);
  });

  it('a lone UTF-16 surrogate is refused, so both dialects store the same text', async () => {
    const ticket = await createTicket(t.admin, { subject: 'Plain subject' });
    const res = await t.admin.patch(`/api/v1/tickets/${ticket.number}`, { subject: 'half \ud800 pair' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields).toEqual([{ path: 'body.subject', message: expect.stringMatching(/Unicode/) }]);
    // A whole pair (an emoji) is fine.
    const ok = await t.admin.patch(`/api/v1/tickets/${ticket.number}`, { subject: 'Printer 🖨️ on fire' });
    expect(ok.json().subject).toBe('Printer 🖨️ on fire');
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}`)).json().subject).toBe('Printer 🖨️ on fire');
  });

  it('every error carries code, message and details (null when there is nothing more to say)', async () => {
    const missing = await t.admin.get('/api/v1/tickets/999999');
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: expect.any(String), details: null } });
    const agent = await t.user({ role: 'agent' });
    expect((await agent.get('/api/v1/audit-log')).json().error).toEqual({ code: 'forbidden', message: expect.any(String), details: null });
    const broken = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'application/json' }, payload: '{' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toHaveProperty('details');
  });

  it('a request line past the 16 KB that Node reads is a 431 in the error shape', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const tooLong = await rawGet(port, `/api/v1/tickets?q=${'x'.repeat(20_000)}`, t.admin.token);
    expect(tooLong.status).toBe(431);
    expect(JSON.parse(tooLong.body)).toEqual({ error: { code: 'headers_too_large', message: expect.stringMatching(/16 KB/), details: null } });
  });

  it('the same contact created ten times at once: one 201, the rest 409, never a 500, and one contact', async () => {
    const email = `race-${dialect}@customer.test`;
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.admin.post('/api/v1/contacts', { name: 'Racer', emails: [email] })));
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 201 || s === 409), answers.map((r) => r.body.slice(0, 120)).join('\n')).toBe(true);
    expect((await t.admin.get(`/api/v1/contacts?q=${encodeURIComponent(email)}`)).json().items).toHaveLength(1);
  });

  it('concurrent changes to one ticket keep every tag each of them added or removed', async () => {
    const ticket = await createTicket(t.admin, { subject: 'Busy ticket', tags: ['keep', 'drop-a', 'drop-b'] });
    const changes = [{ addTags: ['vip'] }, { addTags: ['vip', 'billing'] }, { addTags: ['refund'], removeTags: ['drop-a'] }, { removeTags: ['drop-b'] }, { addTags: ['vip'], priority: 'high' }];
    const answers = await Promise.all(changes.map((c) => t.admin.patch(`/api/v1/tickets/${ticket.number}`, c)));
    expect(answers.map((r) => r.statusCode), answers.map((r) => r.body.slice(0, 160)).join('\n')).toEqual(changes.map(() => 200));
    const after = (await t.admin.get(`/api/v1/tickets/${ticket.number}`)).json();
    expect([...after.tags].sort()).toEqual(['billing', 'keep', 'refund', 'vip']);
    expect(after.priority).toBe('high');
  });

  it('a PATCH of settings changes only the fields it names', async () => {
    await t.admin.patch('/api/v1/settings', { helpdeskName: 'Acme Help', defaultLocale: 'de' });
    const tz = await t.admin.patch('/api/v1/settings', { timeZone: 'Europe/Berlin' });
    expect(tz.json()).toEqual({ helpdeskName: 'Acme Help', timeZone: 'Europe/Berlin', defaultLocale: 'de' });
    const audit = (await t.admin.get('/api/v1/audit-log?action=settings.updated')).json().items;
    expect(audit[0].data.changed).toEqual(['timeZone']);

    await t.admin.patch('/api/v1/chat/settings', { title: 'Talk to Acme', greeting: 'Hi there' });
    expect((await t.admin.patch('/api/v1/chat/settings', { enabled: true })).json()).toMatchObject({ title: 'Talk to Acme', greeting: 'Hi there' });
    await t.admin.patch('/api/v1/forms/settings', { title: 'Write to Acme' });
    expect((await t.admin.patch('/api/v1/forms/settings', { intro: 'We answer within a day.' })).json()).toMatchObject({ title: 'Write to Acme', intro: 'We answer within a day.' });

    const boss = await t.user({ role: 'supervisor' });
    await t.admin.patch('/api/v1/reports/digest', { enabled: true, recipientIds: [boss.userId] });
    expect((await t.admin.patch('/api/v1/reports/digest', { hour: 6 })).json()).toMatchObject({ enabled: true, recipientIds: [boss.userId], hour: 6 });
    for (const body of [{ lastSentFor: '2030-01-01' }, { bogus: 1 }]) {
      const res = await t.admin.patch('/api/v1/reports/digest', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.fields[0].path).toBe(`body.${Object.keys(body)[0]}`);
    }
  });
});

describeEachDialect('ids in upper case', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('are refused as the OpenAPI pattern says, naming the field, rather than passing and then found nowhere', async () => {
    const tk = await createTicket(t.admin);
    const spec = (await t.admin.get('/api/v1/openapi.json')).json();
    const pattern = spec.paths['/api/v1/contacts/{id}'].get.parameters.find((p: { name: string }) => p.name === 'id').schema.pattern as string;
    const upper = tk.id.toUpperCase();
    expect(new RegExp(pattern).test(tk.id)).toBe(true);
    expect(new RegExp(pattern).test(upper)).toBe(false);
    const contactId = (await t.admin.get(`/api/v1/tickets/${tk.number}`)).json().requester.id as string;
    const byPath = await t.admin.get(`/api/v1/contacts/${contactId.toUpperCase()}`);
    expect(byPath.statusCode).toBe(400);
    expect(byPath.json().error.details.fields[0].path).toBe('params.id');
    const inBody = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: t.admin.userId.toUpperCase() });
    expect(inBody.statusCode).toBe(400);
    expect(inBody.json().error.details.fields[0]).toMatchObject({ path: 'body.assigneeId', message: 'must be an id (a lower-case UUID)' });
    expect((await t.admin.get(`/api/v1/contacts/${contactId}`)).statusCode).toBe(200);
  });
});
