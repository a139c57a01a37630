import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';
import { startReceiver, type Receiver } from './http-receiver.js';

const sign = (secret: string, ts: string, body: string) => `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;

describeEachDialect('escalation and transfer to an external issue tracker', (dialect) => {
  let t: TestApp;
  let tracker: Receiver;
  let trackerId: string;
  let inboundSecret: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    tracker = await startReceiver();
    await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: true });
    const res = await t.admin.post('/api/v1/integrations/trackers', {
      name: 'Engineering Jira',
      createUrl: `${tracker.url}/rest/issues`,
      createTemplate: '{"title": {{ ticket.subject | json }}, "description": {{ message.text | json }}, "note": {{ note | json }}, "helpdeskRef": {{ ticket.number }}, "by": {{ agent.name | json }}}',
      commentUrl: `${tracker.url}/rest/issues/{{ external.id }}/comments`,
      commentTemplate: '{"body": {{ comment.text | json }}, "author": {{ agent.name | json }}}',
      headers: { authorization: 'Bearer tracker-token' },
      idPath: 'issue.key',
      urlPath: 'issue.html_url',
    });
    expect(res.statusCode, res.body).toBe(201);
    trackerId = res.json().id;
    inboundSecret = res.json().inboundSecret;
    expect(res.json().inboundUrl).toMatch(new RegExp(`/api/v1/integrations/trackers/${trackerId}/inbound$`));
  });
  afterAll(async () => {
    await t.close();
    await tracker.close();
  });
  beforeEach(() => {
    tracker.received.length = 0;
    tracker.answers.length = 0;
  });

  const notes = async (number: number): Promise<string[]> =>
    ((await t.admin.get(`/api/v1/tickets/${number}/messages`)).json().items as { kind: string; bodyText: string }[]).filter((m) => m.kind === 'note').map((m) => m.bodyText);
  const inbound = (body: object, opts: { secret?: string; ts?: number } = {}) => {
    const raw = JSON.stringify(body);
    const ts = String(opts.ts ?? Math.floor(t.clock.now().getTime() / 1000));
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/integrations/trackers/${trackerId}/inbound`,
      headers: { 'content-type': 'application/json', 'x-tessera-timestamp': ts, 'x-tessera-signature': sign(opts.secret ?? inboundSecret, ts, raw) },
      payload: raw,
    });
  };

  it('escalates a ticket to another group with an internal note naming who did it', async () => {
    const tier2 = (await t.admin.post('/api/v1/groups', { name: 'Tier 2' })).json();
    const agent = await t.user({ role: 'agent', name: 'Ivy Agent' });
    const ticket = await createTicket(t.admin, { assigneeId: agent.userId });
    const res = await agent.post(`/api/v1/tickets/${ticket.number}/escalate`, { groupId: tier2.id, note: 'Needs a database fix' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ number: ticket.number, groupId: tier2.id, assignee: null });
    expect(await notes(ticket.number)).toEqual(['Escalated to Tier 2: Needs a database fix']);
    const events = (await t.admin.get(`/api/v1/tickets/${ticket.number}/events`)).json().items as { action: string; to: unknown; actor: { type: string; id: string | null } }[];
    const groupChange = events.find((e) => e.to === tier2.id);
    expect(groupChange, JSON.stringify(events)).toMatchObject({ actor: { type: 'user', id: agent.userId } });
    const again = await agent.post(`/api/v1/tickets/${ticket.number}/escalate`, { groupId: tier2.id, note: 'again' });
    expect(again.statusCode).toBe(409);
  });

  it('transfers a ticket: the request rendered from the template, the issue linked, comments forwarded, status mirrored back', async () => {
    const agent = await t.user({ role: 'agent', name: 'Ivy Agent' });
    const ticket = await createTicket(t.admin, { subject: 'Export "crashes"', message: { body: 'The CSV export\ncrashes at 100 rows.' } });
    tracker.answers.push({ status: 201, json: { issue: { key: 'ENG-7', html_url: 'https://tracker.example/browse/ENG-7' } } });
    const res = await agent.post(`/api/v1/tickets/${ticket.number}/transfer`, { trackerId, note: 'Customer is blocked' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().transfer).toMatchObject({ externalId: 'ENG-7', externalUrl: 'https://tracker.example/browse/ENG-7', externalStatus: 'transferred', trackerName: 'Engineering Jira', transferredBy: agent.userId });
    expect(tracker.received).toHaveLength(1);
    const sent = tracker.received[0]!;
    expect(sent.url).toBe('/rest/issues');
    expect(sent.headers.authorization).toBe('Bearer tracker-token');
    expect(JSON.parse(sent.body)).toEqual({ title: 'Export "crashes"', description: 'The CSV export\ncrashes at 100 rows.', note: 'Customer is blocked', helpdeskRef: ticket.number, by: 'Ivy Agent' });
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}`)).json().tags).toContain('transferred');
    expect((await agent.get(`/api/v1/tickets/${ticket.number}/transfer`)).json().transfer).toMatchObject({ externalId: 'ENG-7', externalStatus: 'transferred' });
    expect((await agent.post(`/api/v1/tickets/${ticket.number}/transfer`, { trackerId })).statusCode).toBe(409);

    // A comment goes to the issue.
    expect((await agent.post(`/api/v1/tickets/${ticket.number}/transfer/comments`, { body: 'Customer sent logs' })).statusCode).toBe(200);
    expect(tracker.received[1]).toMatchObject({ url: '/rest/issues/ENG-7/comments' });
    expect(JSON.parse(tracker.received[1]!.body)).toEqual({ body: 'Customer sent logs', author: 'Ivy Agent' });

    // Status updates: a forged or stale one changes nothing; a signed one is mirrored.
    expect((await inbound({ externalId: 'ENG-7', status: 'resolved' }, { secret: 'not-the-secret-at-all' })).statusCode).toBe(403);
    expect((await inbound({ externalId: 'ENG-7', status: 'resolved' }, { ts: Math.floor(t.clock.now().getTime() / 1000) - 3600 })).statusCode).toBe(403);
    const unsigned = await t.app.inject({ method: 'POST', url: `/api/v1/integrations/trackers/${trackerId}/inbound`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ externalId: 'ENG-7', status: 'resolved' }) });
    expect(unsigned.statusCode).toBe(403);
    expect(unsigned.json().error.code).toBe('signature_invalid');
    expect((await agent.get(`/api/v1/tickets/${ticket.number}/transfer`)).json().transfer.externalStatus).toBe('transferred');
    const ok = await inbound({ externalId: 'ENG-7', status: 'in_progress' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await agent.get(`/api/v1/tickets/${ticket.number}/transfer`)).json().transfer.externalStatus).toBe('in_progress');
    expect((await inbound({ externalId: 'ENG-404', status: 'resolved' })).statusCode).toBe(404);
    expect(await notes(ticket.number)).toEqual([
      'Transferred to Engineering Jira as ENG-7 (https://tracker.example/browse/ENG-7).\n\nCustomer is blocked',
      'Sent to Engineering Jira: Customer sent logs',
      'Engineering Jira issue ENG-7 is now in progress.',
    ]);

    // The list of all transferred tickets, and by external status.
    const all = (await agent.get('/api/v1/integrations/transfers')).json().items;
    expect(all.map((x: { number: number }) => x.number)).toContain(ticket.number);
    // The workspace's "Transferred" view shows the same tickets.
    const view = (await agent.get('/api/v1/tickets?view=transferred')).json().items as { number: number }[];
    expect(view.map((x) => x.number)).toEqual(all.map((x: { number: number }) => x.number));
    expect((await agent.get('/api/v1/integrations/transfers?status=resolved')).json().items).toEqual([]);
    await inbound({ externalId: 'ENG-7', status: 'resolved' });
    expect((await agent.get('/api/v1/integrations/transfers?status=resolved')).json().items).toEqual([expect.objectContaining({ number: ticket.number, externalStatus: 'resolved' })]);
  });

  it('reports a tracker that fails or answers without an id, and stores nothing', async () => {
    const ticket = await createTicket(t.admin);
    tracker.answers.push({ status: 500 }, { status: 200, json: { nothing: true } });
    const failed = await t.admin.post(`/api/v1/tickets/${ticket.number}/transfer`, { trackerId });
    expect(failed.statusCode).toBe(400);
    expect(failed.json().error.message).toContain('HTTP 500');
    const noId = await t.admin.post(`/api/v1/tickets/${ticket.number}/transfer`, { trackerId });
    expect(noId.statusCode).toBe(400);
    expect(noId.json().error.message).toContain('issue.key');
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}/transfer`)).json()).toEqual({ transfer: null });
    expect(await notes(ticket.number)).toEqual([]);
  });
});
