import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../server/modules/integrations/index.js';
import { safeRequest } from '../../server/modules/integrations/safe-http.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';
import { startReceiver, type Receiver } from './http-receiver.js';
import { settle } from '../mail/outbound-support.js';

const sign = (secret: string, ts: string, body: string) => `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;

describeEachDialect('outgoing webhooks', (dialect) => {
  let t: TestApp;
  let rx: Receiver;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    rx = await startReceiver();
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });
  beforeEach(async () => {
    rx.received.length = 0;
    rx.answers.length = 0;
    await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: true });
  });

  const createHook = async (url: string, eventTypes = ['ticket.created']) => {
    const res = await t.admin.post('/api/v1/integrations/webhooks', { name: 'CRM', url, eventTypes, secret: 'a-very-secret-key-0123' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string };
  };
  const log = async (id: string) => (await t.admin.get(`/api/v1/integrations/webhooks/${id}/deliveries`)).json().items as { attempt: number; status: string; responseCode: number | null; error: string | null; event: string; durationMs: number }[];

  it('delivers a subscribed event as signed JSON and logs it', async () => {
    const hook = await createHook(`${rx.url}/hooks/crm`, ['ticket.created', 'ticket.status_changed']);
    const ticket = await createTicket(t.admin, { subject: 'Webhook me' });
    await settle(t);
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/hooks/crm');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-tessera-event']).toBe('ticket.created');
    const ts = String(r.headers['x-tessera-timestamp']);
    expect(Number(ts) * 1000).toBe(Math.floor(t.clock.now().getTime() / 1000) * 1000);
    expect(r.headers['x-tessera-signature']).toBe(sign('a-very-secret-key-0123', ts, r.body));
    expect(r.headers['x-tessera-signature']).not.toBe(sign('another-secret-entirely', ts, r.body));
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ event: 'ticket.created', data: { ticketId: ticket.id, number: ticket.number, channel: 'api' } });
    expect(await log(hook.id)).toMatchObject([{ attempt: 1, status: 'success', responseCode: 200, error: null, event: 'ticket.created' }]);
    // Events it is not subscribed to are not sent.
    await t.admin.post(`/api/v1/tickets/${ticket.number}/messages`, { kind: 'note', body: 'internal' });
    await settle(t);
    expect(rx.received).toHaveLength(1);
    await t.admin.delete(`/api/v1/integrations/webhooks/${hook.id}`);
  });

  it("a rule's send-webhook action posts the ticket to that webhook, whatever it subscribes to", async () => {
    const hook = await createHook(`${rx.url}/hooks/escalations`, ['csat.rated']);
    const rule = await t.admin.post('/api/v1/automations/rules', {
      name: 'Urgent to the pager',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: { filter: 'priority:urgent' },
      actions: [{ type: 'send_webhook', webhookId: hook.id }],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const unknown = await t.admin.post('/api/v1/automations/rules', { name: 'Bad', kind: 'trigger', events: ['ticket.created'], actions: [{ type: 'send_webhook' }] });
    expect(unknown.statusCode).toBe(400);
    await createTicket(t.admin, { subject: 'Calm question' });
    const urgent = await createTicket(t.admin, { subject: 'Site down', priority: 'urgent' });
    await settle(t);
    expect(rx.received.map((r) => r.url)).toEqual(['/hooks/escalations']);
    const r = rx.received[0]!;
    expect(r.headers['x-tessera-event']).toBe('automation.webhook');
    const ts = String(r.headers['x-tessera-timestamp']);
    expect(r.headers['x-tessera-signature']).toBe(sign('a-very-secret-key-0123', ts, r.body));
    expect(JSON.parse(r.body)).toMatchObject({ event: 'automation.webhook', data: { number: urgent.number, ruleName: 'Urgent to the pager', ticket: { subject: 'Site down', priority: 'urgent' } } });
    expect(await log(hook.id)).toMatchObject([{ status: 'success', event: 'automation.webhook' }]);
    await t.admin.delete(`/api/v1/automations/rules/${rule.json().id}`);
    await t.admin.delete(`/api/v1/integrations/webhooks/${hook.id}`);
  });

  it('a webhook a rule names cannot be deleted (409 naming the rule); a send to one that is gone or off is never reported as made', async () => {
    const hook = await createHook(`${rx.url}/hooks/pager`, ['csat.rated']);
    const create = (name: string, tag: string, webhookId: string) =>
      t.admin.post('/api/v1/automations/rules', { name, kind: 'trigger', events: ['ticket.created'], conditions: { filter: `tag:${tag}` }, actions: [{ type: 'send_webhook', webhookId }] });
    const rule = await create('Page on call', 'page-me', hook.id);
    expect(rule.statusCode, rule.body).toBe(201);
    const refused = await t.admin.delete(`/api/v1/integrations/webhooks/${hook.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'conflict', details: { ruleIds: [rule.json().id] } });
    expect(refused.json().error.message).toContain('"Page on call"');
    expect((await t.admin.get(`/api/v1/integrations/webhooks/${hook.id}`)).statusCode).toBe(200);

    const results = async (number: number) => {
      const evs = (await t.admin.get(`/api/v1/tickets/${number}/events?limit=200`)).json().items as { action: string; to: { actions: { type: string; result: string }[] } }[];
      return evs.filter((e) => e.action === 'rule_applied').flatMap((e) => e.to.actions.filter((a) => a.type === 'send_webhook').map((a) => a.result));
    };
    const sent = await createTicket(t.admin, { subject: 'Pager on', tags: ['page-me'] });
    await settle(t);
    expect(await results(sent.number)).toEqual(['queued']);
    expect(rx.received).toHaveLength(1);

    // Switched off: the rule still runs, and says the send was skipped.
    expect((await t.admin.patch(`/api/v1/integrations/webhooks/${hook.id}`, { active: false })).statusCode).toBe(200);
    const off = await createTicket(t.admin, { subject: 'Pager off', tags: ['page-me'] });
    await settle(t);
    expect(await results(off.number)).toEqual(['skipped: webhook switched off']);

    // Gone (a rule saved before deletes were checked): skipped as unknown, never "done".
    await t.deps.database.db.deleteFrom('webhooks').where('id', '=', hook.id).execute();
    const gone = await createTicket(t.admin, { subject: 'Pager gone', tags: ['page-me'] });
    await settle(t);
    expect(await results(gone.number)).toEqual(['skipped: unknown webhook']);
    expect(rx.received).toHaveLength(1);
    await t.admin.delete(`/api/v1/automations/rules/${rule.json().id}`);
  });

  it('retries after 500s with growing backoff and logs every attempt', async () => {
    const hook = await createHook(`${rx.url}/flaky`);
    rx.answers.push({ status: 500 }, { status: 503 });
    await createTicket(t.admin);
    await settle(t);
    expect(rx.received).toHaveLength(1);
    // Not retried before the backoff has passed.
    t.clock.advance(29_000);
    await settle(t);
    expect(rx.received).toHaveLength(1);
    t.clock.advance(1_000);
    await settle(t);
    expect(rx.received).toHaveLength(2);
    // The second wait is longer (2 minutes).
    t.clock.advance(60_000);
    await settle(t);
    expect(rx.received).toHaveLength(2);
    t.clock.advance(60_000);
    await settle(t);
    expect(rx.received).toHaveLength(3);
    // Every attempt sent the same event and body.
    expect(new Set(rx.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(rx.received.map((r) => r.headers['x-tessera-delivery'])).size).toBe(1);
    const attempts = await log(hook.id);
    expect(attempts.map((a) => [a.attempt, a.status, a.responseCode])).toEqual([
      [3, 'success', 200],
      [2, 'failed', 503],
      [1, 'failed', 500],
    ]);
    expect(attempts[2]!.error).toContain('HTTP 500');
    await t.admin.delete(`/api/v1/integrations/webhooks/${hook.id}`);
  });

  it('sends a test delivery on request and reports what the receiver answered', async () => {
    const hook = await createHook(`${rx.url}/test`);
    rx.answers.push({ status: 404 });
    const res = await t.admin.post(`/api/v1/integrations/webhooks/${hook.id}/test`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ event: 'webhook.test', status: 'failed', responseCode: 404, attempt: 1 });
    const ok = await t.admin.post(`/api/v1/integrations/webhooks/${hook.id}/test`);
    expect(ok.json()).toMatchObject({ status: 'success', responseCode: 200 });
    const r = rx.received[1]!;
    expect(r.headers['x-tessera-signature']).toBe(sign(hook.secret, String(r.headers['x-tessera-timestamp']), r.body));
    expect((await log(hook.id)).map((d) => d.status)).toEqual(['success', 'failed']);
    // Agents cannot see or use webhooks.
    const agent = await t.user({ role: 'agent' });
    expect((await agent.post(`/api/v1/integrations/webhooks/${hook.id}/test`)).statusCode).toBe(403);
    expect((await agent.get('/api/v1/integrations/webhooks')).statusCode).toBe(403);
    await t.admin.delete(`/api/v1/integrations/webhooks/${hook.id}`);
  });

  it('describes the integration, transfer and CSAT routes in the API docs', async () => {
    const spec = (await t.anonymous.get('/api/v1/openapi.json')).json();
    for (const path of ['/api/v1/integrations/webhooks', '/api/v1/integrations/webhooks/{id}/test', '/api/v1/integrations/webhooks/{id}/deliveries', '/api/v1/integrations/trackers/{id}/inbound', '/api/v1/tickets/{number}/transfer', '/api/v1/tickets/{number}/escalate', '/api/v1/tickets/{number}/csat', '/api/v1/csat/settings']) {
      expect(spec.paths[path], path).toBeDefined();
    }
  });

  describe('private targets when not allowed', () => {
    beforeEach(async () => {
      await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: false });
    });

    it('refuses literal private, loopback and link-local addresses when the webhook is saved', async () => {
      for (const url of ['http://127.0.0.1/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://192.168.0.1/', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/', 'ftp://example.com/']) {
        const res = await t.admin.post('/api/v1/integrations/webhooks', { name: 'x', url, eventTypes: ['ticket.created'] });
        expect(res.statusCode, url).toBe(422);
        expect(res.json().error.code).toBe('target_refused');
      }
      expect((await t.admin.get('/api/v1/integrations/webhooks')).json().items).toEqual([]);
    });

    it('refuses localhost names as the loopback address they stand for, unless private targets are allowed', async () => {
      for (const url of ['http://localhost/x', 'http://LOCALHOST.:8080/x', 'https://api.localhost/x']) {
        const res = await t.admin.post('/api/v1/integrations/webhooks', { name: 'x', url, eventTypes: ['ticket.created'] });
        expect(res.statusCode, url).toBe(422);
        expect(res.json().error).toMatchObject({ code: 'target_refused', details: { fields: [{ path: 'url' }] } });
      }
      const hook = await createHook('https://hooks.example.com/x');
      expect((await t.admin.patch(`/api/v1/integrations/webhooks/${hook.id}`, { url: 'http://localhost/x' })).statusCode).toBe(422);
      await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: true });
      const local = await createHook('http://localhost/x');
      expect((await t.admin.patch(`/api/v1/integrations/webhooks/${hook.id}`, { url: 'http://127.0.0.1/x' })).statusCode).toBe(200);
      await t.admin.delete(`/api/v1/integrations/webhooks/${hook.id}`);
      await t.admin.delete(`/api/v1/integrations/webhooks/${local.id}`);
    });

    it('refuses a URL that names no host, naming the field', async () => {
      for (const url of ['https:///nohost', 'https:nohost/x', 'http:///']) {
        const res = await t.admin.post('/api/v1/integrations/webhooks', { name: 'x', url, eventTypes: ['ticket.created'] });
        expect(res.statusCode, url).toBe(400);
        expect(new Set(res.json().error.details.fields.map((f: { path: string }) => f.path))).toEqual(new Set(['body.url']));
      }
      expect((await t.admin.get('/api/v1/integrations/webhooks')).json().items).toEqual([]);
    });

    it('refuses at delivery a localhost name, and a target that became private', async () => {
      // Both saved while allowed, then the admin switched private targets off.
      await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: true });
      const named = await createHook(`http://localhost:${rx.port}/named`, ['ticket.deleted']);
      await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: false });
      const res = await t.admin.post(`/api/v1/integrations/webhooks/${named.id}/test`);
      expect(res.json()).toMatchObject({ status: 'refused', responseCode: null });
      expect(res.json().error).toMatch(/localhost is a loopback name/);
      await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: true });
      const literal = await createHook(`${rx.url}/literal`);
      await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: false });
      await createTicket(t.admin);
      await settle(t);
      t.clock.advance(3600_000);
      await settle(t);
      expect(rx.received).toEqual([]);
      // Refused once and not retried.
      expect((await log(literal.id)).map((d) => [d.status, d.attempt])).toEqual([['refused', 1]]);
      expect((await log(named.id)).map((d) => d.status)).toEqual(['refused']);
      await t.admin.delete(`/api/v1/integrations/webhooks/${named.id}`);
      await t.admin.delete(`/api/v1/integrations/webhooks/${literal.id}`);
    });
  });
});

describe('SSRF guard of outgoing requests', () => {
  it('classifies addresses', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '224.0.0.1'])
      expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '1.1.1.1']) expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('connects to the address it checked when a name is resolved (allowed private targets)', async () => {
    const rx = await startReceiver('127.0.0.1');
    try {
      // The connection goes to the checked (pinned) address; the Host header keeps the name.
      const res = await safeRequest({ url: `http://localhost:${rx.port}/named`, method: 'POST', headers: {}, body: '{}', allowPrivate: true });
      expect(res.status).toBe(200);
      expect(rx.received.map((r) => [r.url, r.headers.host])).toEqual([['/named', `localhost:${rx.port}`]]);
    } finally {
      await rx.close();
    }
  });

  it('re-checks every redirect: a permitted target redirecting to a refused address is refused', async () => {
    // 127.0.0.2 stands in for a public server (the policy allows it); 127.0.0.1 stays refused.
    const allowed = (ip: string) => ip === '127.0.0.2';
    const inner = await startReceiver('127.0.0.1');
    const outer = await startReceiver('127.0.0.2');
    try {
      outer.answers.push({ status: 302, location: `${inner.url}/secret` });
      await expect(safeRequest({ url: `${outer.url}/start`, method: 'POST', headers: {}, body: '{}', allowPrivate: false, addressAllowed: allowed })).rejects.toThrow(/127\.0\.0\.1 is a private/);
      expect(outer.received).toHaveLength(1);
      expect(inner.received).toEqual([]);
      // A redirect to a localhost name is refused as the loopback address it stands for.
      outer.answers.push({ status: 307, location: `http://localhost:${inner.port}/secret` });
      await expect(safeRequest({ url: `${outer.url}/start`, method: 'POST', headers: {}, body: '{}', allowPrivate: false, addressAllowed: allowed })).rejects.toThrow(/localhost is a loopback name/);
      expect(inner.received).toEqual([]);
      // Redirects within permitted targets are followed, a few at most.
      outer.answers.push({ status: 308, location: '/next' }, { status: 200 });
      const ok = await safeRequest({ url: `${outer.url}/start`, method: 'POST', headers: {}, body: '{"a":1}', allowPrivate: false, addressAllowed: allowed });
      expect(ok.status).toBe(200);
      expect(outer.received.at(-1)).toMatchObject({ method: 'POST', url: '/next', body: '{"a":1}' });
      for (let i = 0; i < 5; i++) outer.answers.push({ status: 302, location: '/loop' });
      await expect(safeRequest({ url: `${outer.url}/start`, method: 'GET', headers: {}, allowPrivate: false, addressAllowed: allowed })).rejects.toThrow(/more than 3 redirects/);
    } finally {
      await inner.close();
      await outer.close();
    }
  });
});
