import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.js';
import { settle } from '../mail/outbound-support.js';

interface Portal {
  cookie: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, opts?: { csrf?: boolean }): Promise<LightMyRequestResponse>;
}

describeEachDialect('customer portal: magic link, own tickets only, public conversation', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    process.env.SMTP_URL = sink.url;
    t = await createTestApp(dialect);
    delete process.env.SMTP_URL;
    const mailbox = await t.admin.post('/api/v1/mailboxes', { address: 'help@portal.test', displayName: 'Portal Help', brand: { name: 'Acme', colour: '#aa3300' } });
    expect(mailbox.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => sink.clear());

  /** Asks for a link as the customer would and returns the token from the mail they receive. */
  async function mailedToken(email: string): Promise<string> {
    const res = await t.anonymous.post('/api/v1/portal/sign-in-link', { email });
    expect(res.statusCode).toBe(202);
    await settle(t);
    const mail = sink.mails.filter((m) => m.envelope.to.includes(email) && m.parsed.subject?.includes('sign-in link')).at(-1);
    expect(mail, `a sign-in mail to ${email}`).toBeDefined();
    const link = /https?:\/\/\S+#token=([\w-]+)/.exec(mail!.parsed.text ?? '');
    expect(link).not.toBeNull();
    return link![1]!;
  }

  async function signIn(token: string): Promise<LightMyRequestResponse> {
    return t.app.inject({ method: 'POST', url: '/api/v1/portal/sign-in', payload: { token } });
  }

  async function portalAs(email: string): Promise<Portal> {
    const res = await signIn(await mailedToken(email));
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/tessera_portal=[^;]+;.*HttpOnly/i);
    const cookie = /tessera_portal=([^;]+)/.exec(setCookie)![0];
    const csrf = res.json<{ csrfToken: string }>().csrfToken;
    return {
      cookie,
      csrf,
      get: (url) => t.app.inject({ method: 'GET', url, headers: { cookie } }),
      post: (url, body = {}, opts = {}) =>
        t.app.inject({ method: 'POST', url, headers: { cookie, ...(opts.csrf === false ? {} : { 'x-csrf-token': csrf }) }, payload: body as object }),
    };
  }

  it('signs a customer in with a mailed single-use link; they see their own tickets and never another customer\'s', async () => {
    const mine = await createTicket(t.admin, { subject: 'Carol printer', requester: { email: 'carol@portal.test', name: 'Carol' } });
    const theirs = await createTicket(t.admin, { subject: 'Dave secret', requester: { email: 'dave@portal.test', name: 'Dave' } });
    await t.admin.post(`/api/v1/tickets/${mine.number}/messages`, { kind: 'note', body: 'INTERNAL: customer is difficult' });
    await t.admin.post(`/api/v1/tickets/${mine.number}/messages`, { kind: 'reply', body: 'We are looking into it.' });

    const token = await mailedToken('carol@portal.test');
    const mail = sink.mails.find((m) => m.parsed.subject?.includes('sign-in link'))!;
    // Branded with the mailbox, sent from it.
    expect(mail.parsed.subject).toBe('Your sign-in link for Acme support');
    expect(mail.parsed.from).toEqual({ name: 'Acme', address: 'help@portal.test' });
    const first = await signIn(token);
    expect(first.statusCode).toBe(200);
    // Single use: the same link again is refused.
    const again = await signIn(token);
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('sign_in_link_invalid');

    const carol = await portalAs('carol@portal.test');
    const list = await carol.get('/api/v1/portal/tickets');
    expect(list.statusCode).toBe(200);
    const subjects = list.json<{ items: { subject: string }[] }>().items.map((i) => i.subject);
    expect(subjects).toContain('Carol printer');
    expect(subjects).not.toContain('Dave secret');

    const detail = await carol.get(`/api/v1/portal/tickets/${mine.number}`);
    expect(detail.statusCode).toBe(200);
    const texts = detail.json<{ messages: { bodyText: string; from: string }[] }>().messages.map((m) => m.bodyText);
    expect(texts.join('\n')).toContain('We are looking into it.');
    expect(texts.join('\n')).not.toContain('INTERNAL');

    // Another customer's ticket: not found, through every portal door.
    expect((await carol.get(`/api/v1/portal/tickets/${theirs.number}`)).statusCode).toBe(404);
    expect((await carol.post(`/api/v1/portal/tickets/${theirs.number}/messages`, { body: 'let me in' })).statusCode).toBe(404);
    expect((await carol.post(`/api/v1/portal/tickets/${theirs.number}/close`)).statusCode).toBe(404);
    const daveMessages = await t.admin.get(`/api/v1/tickets/${theirs.number}/messages`);
    expect(daveMessages.body).not.toContain('let me in');
    // The portal cookie opens nothing of the agent API.
    const agentApi = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${mine.number}`, headers: { cookie: carol.cookie } });
    expect(agentApi.statusCode).toBe(401);
  });

  it('lets the customer reply (CSRF-protected), close, and open a new request, which agents see', async () => {
    const mine = await createTicket(t.admin, { subject: 'Erin laptop', requester: { email: 'erin@portal.test', name: 'Erin' } });
    const erin = await portalAs('erin@portal.test');

    const noCsrf = await erin.post(`/api/v1/portal/tickets/${mine.number}/messages`, { body: 'Any news?' }, { csrf: false });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('csrf_failed');
    const reply = await erin.post(`/api/v1/portal/tickets/${mine.number}/messages`, { body: 'Any news?' });
    expect(reply.statusCode).toBe(201);
    const agentView = await t.admin.get(`/api/v1/tickets/${mine.number}/messages`);
    const last = agentView.json<{ items: { kind: string; bodyText: string }[] }>().items.at(-1)!;
    expect(last).toMatchObject({ kind: 'customer', bodyText: 'Any news?' });

    const closed = await erin.post(`/api/v1/portal/tickets/${mine.number}/close`);
    expect(closed.statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/tickets/${mine.number}`)).json().status).toBe('closed');

    const opened = await erin.post('/api/v1/portal/tickets', { subject: 'New question', body: 'How do I reset my password?' });
    expect(opened.statusCode).toBe(201);
    const number = opened.json<{ number: number }>().number;
    const ticket = (await t.admin.get(`/api/v1/tickets/${number}`)).json();
    expect(ticket.subject).toBe('New question');
    expect(ticket.requester.email).toBe('erin@portal.test');

    const bad = await erin.post('/api/v1/portal/tickets', { subject: '', body: 'x' });
    expect(bad.statusCode).toBe(400);
    // A subject that shows nothing is as blank as an empty one; invisible edges are trimmed.
    const invisible = await erin.post('/api/v1/portal/tickets', { subject: '\u200b\u2060 \ufeff', body: 'x' });
    expect([invisible.statusCode, invisible.json().error.details.fields[0].path]).toEqual([400, 'body.subject']);
    const edged = await erin.post('/api/v1/portal/tickets', { subject: '\u200b Wifi down \u200b', body: 'x' });
    expect((await t.admin.get(`/api/v1/tickets/${edged.json<{ number: number }>().number}`)).json().subject).toBe('Wifi down');
  });

  it('refuses an expired link and a signed-out session', async () => {
    const token = await mailedToken('frank@portal.test');
    t.clock.advance(16 * 60_000);
    const late = await signIn(token);
    expect(late.statusCode).toBe(401);
    expect(late.json().error.code).toBe('sign_in_link_invalid');

    const frank = await portalAs('frank@portal.test');
    expect((await frank.get('/api/v1/portal/me')).statusCode).toBe(200);
    expect((await frank.post('/api/v1/portal/sign-out')).statusCode).toBe(200);
    expect((await frank.get('/api/v1/portal/me')).statusCode).toBe(401);
    expect((await t.anonymous.get('/api/v1/portal/tickets')).statusCode).toBe(401);
  });

  it('mails at most five links an hour to one address, answering the same every time', async () => {
    const ask = (email: string, remoteAddress: string) => t.app.inject({ method: 'POST', url: '/api/v1/portal/sign-in-link', payload: { email }, remoteAddress });
    for (let i = 0; i < 7; i++) expect((await ask('flood@portal.test', '192.0.2.7')).statusCode).toBe(202);
    await settle(t);
    expect(sink.mails.filter((m) => m.envelope.to.includes('flood@portal.test'))).toHaveLength(5);
    expect((await ask('not an address', '192.0.2.8')).statusCode).toBe(400);
    // And one client asking for many addresses is slowed down.
    const answers: number[] = [];
    for (let i = 0; i < 12; i++) answers.push((await ask(`many${i}@portal.test`, '192.0.2.9')).statusCode);
    expect(answers.slice(0, 10).every((c) => c === 202)).toBe(true);
    expect(answers.at(-1)).toBe(429);
  });

  it("shows the organization's tickets only when the admin allows it", async () => {
    const org = await t.admin.post('/api/v1/organizations', { name: 'Portal Org', domains: [] });
    expect(org.statusCode).toBe(201);
    const orgId = org.json<{ id: string }>().id;
    for (const email of ['gina@portal.test', 'hank@portal.test']) {
      const c = await t.admin.post('/api/v1/contacts', { name: email, emails: [email], organizationId: orgId });
      expect(c.statusCode).toBe(201);
    }
    await createTicket(t.admin, { subject: 'Hank order', requester: { email: 'hank@portal.test' } });
    const gina = await portalAs('gina@portal.test');
    expect((await gina.get('/api/v1/portal/tickets?scope=organization')).statusCode).toBe(403);

    expect((await t.admin.patch('/api/v1/channels/settings/portal', { allowOrganization: true })).statusCode).toBe(200);
    const shared = await gina.get('/api/v1/portal/tickets?scope=organization');
    expect(shared.statusCode).toBe(200);
    const hank = shared.json<{ items: { subject: string; number: number; mine: boolean }[] }>().items.find((i) => i.subject === 'Hank order');
    expect(hank).toMatchObject({ mine: false });
    expect((await gina.get(`/api/v1/portal/tickets/${hank!.number}`)).statusCode).toBe(200);

    expect((await t.admin.patch('/api/v1/channels/settings/portal', { allowOrganization: false })).statusCode).toBe(200);
    expect((await gina.get(`/api/v1/portal/tickets/${hank!.number}`)).statusCode).toBe(404);
  });

  it('a portal session (cookie and CSRF token) opens nothing of the agent API that is closed to anonymous callers', async () => {
    const ticket = await createTicket(t.admin, { subject: 'Ivy router', requester: { email: 'ivy@portal.test', name: 'Ivy' } });
    const ivy = await portalAs('ivy@portal.test');
    const spec = (await t.admin.get('/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    const opened: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (path.startsWith('/api/v1/portal/') || path.endsWith('/ws')) continue;
      const url = path.replace('{number}', String(ticket.number)).replace(/\{\w+\}/g, '00000000-0000-7000-8000-000000000000');
      for (const method of Object.keys(ops).map((m) => m.toUpperCase() as 'GET')) {
        const payload = method === 'GET' || method === 'DELETE' ? {} : { payload: {} };
        const anonymous = await t.app.inject({ method, url, ...payload });
        if (anonymous.statusCode !== 401) continue;
        checked += 1;
        const asIvy = await t.app.inject({ method, url, headers: { cookie: ivy.cookie, 'x-csrf-token': ivy.csrf }, ...payload });
        if (asIvy.statusCode !== 401 && asIvy.statusCode !== 403) opened.push(`${method} ${url} -> ${asIvy.statusCode}`);
      }
    }
    expect(opened).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });
});
