import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

describeEachDialect('import of historical tickets', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Old Agent', email: `old-${dialect}@tessera.test` });
    await t.admin.post('/api/v1/groups', { name: 'Legacy' });
  });
  afterAll(() => t.close());

  const history = () => ({
    tickets: [
      {
        externalId: 'ZD-1',
        subject: 'Old refund question',
        requester: { email: 'hist@customer.test', name: 'Hist Orical' },
        status: 'closed',
        priority: 'high',
        assigneeEmail: `old-${dialect}@tessera.test`,
        groupName: 'Legacy',
        tags: ['imported'],
        createdAt: '2024-05-01T08:00:00.000Z',
        statusChangedAt: '2024-05-03T10:00:00.000Z',
        messages: [
          { kind: 'customer', body: 'Where is my refund?', createdAt: '2024-05-01T08:00:00.000Z' },
          { kind: 'reply', authorEmail: `old-${dialect}@tessera.test`, body: 'Refund sent.', createdAt: '2024-05-01T09:30:00.000Z' },
          { kind: 'note', authorEmail: `old-${dialect}@tessera.test`, body: 'Approved by finance', createdAt: '2024-05-01T09:00:00.000Z' },
        ],
      },
    ],
  });

  it('keeps original timestamps, authors and the final status', async () => {
    const res = await t.admin.post('/api/v1/import/tickets', history());
    expect(res.statusCode).toBe(201);
    const [{ number, externalId }] = res.json().imported;
    expect(externalId).toBe('ZD-1');
    const tk = (await t.admin.get(`/api/v1/tickets/${number}`)).json();
    expect(tk).toMatchObject({
      status: 'closed',
      priority: 'high',
      tags: ['imported'],
      createdAt: '2024-05-01T08:00:00.000Z',
      firstResponseAt: '2024-05-01T09:30:00.000Z',
      closedAt: '2024-05-03T10:00:00.000Z',
      assignee: { name: 'Old Agent' },
      messageCount: 3,
    });
    const msgs = (await t.admin.get(`/api/v1/tickets/${number}/messages`)).json().items;
    expect(msgs.map((m: { kind: string; createdAt: string }) => [m.kind, m.createdAt])).toEqual([
      ['customer', '2024-05-01T08:00:00.000Z'],
      ['note', '2024-05-01T09:00:00.000Z'],
      ['reply', '2024-05-01T09:30:00.000Z'],
    ]);
    expect(msgs[2].author).toMatchObject({ type: 'user', name: 'Old Agent' });
    const events = (await t.admin.get(`/api/v1/tickets/${number}/events?action=status_changed`)).json().items;
    expect(events.at(-1)).toMatchObject({ to: 'closed', at: '2024-05-03T10:00:00.000Z' });
  });

  it('is all or nothing and admin-only', async () => {
    const before = (await t.admin.get('/api/v1/tickets?q=tag:imported&limit=200')).json().items.length;
    const bad = history();
    bad.tickets.push({ ...bad.tickets[0]!, externalId: 'ZD-2', assigneeEmail: 'ghost@nowhere.test' });
    const res = await t.admin.post('/api/v1/import/tickets', bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields[0].path).toBe('tickets.1.assigneeEmail');
    expect((await t.admin.get('/api/v1/tickets?q=tag:imported&limit=200')).json().items.length).toBe(before);
    expect((await agent.post('/api/v1/import/tickets', history())).statusCode).toBe(403);
  });
});
