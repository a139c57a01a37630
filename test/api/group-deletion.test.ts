import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

describeEachDialect('deleting a group', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t?.close());

  it("takes its tickets out of it, open and closed, each with an event, so views and restricted agents still find them", async () => {
    const doomed = (await t.admin.post('/api/v1/groups', { name: 'Doomed' })).json().id as string;
    const kept = (await t.admin.post('/api/v1/groups', { name: 'Kept' })).json().id as string;
    const open = await createTicket(t.admin, { subject: 'In the doomed group', groupId: doomed });
    const closed = await createTicket(t.admin, { subject: 'Closed in the doomed group', groupId: doomed, status: 'closed' });
    const other = await createTicket(t.admin, { subject: 'In the kept group', groupId: kept });
    t.clock.advance(60_000);
    expect((await t.admin.delete(`/api/v1/groups/${doomed}`)).statusCode).toBe(200);
    await t.deps.events.idle();

    const get = async (n: number) => (await t.admin.get(`/api/v1/tickets/${n}`)).json();
    expect((await get(open.number)).groupId).toBeNull();
    expect((await get(closed.number)).groupId).toBeNull();
    expect((await get(other.number)).groupId).toBe(kept);
    const nums = async (q: string) => ((await t.admin.get(`/api/v1/tickets?q=${encodeURIComponent(q)}`)).json().items as { number: number }[]).map((x) => x.number).sort((a, b) => a - b);
    expect(await nums('group:none is:open')).toContain(open.number);
    expect(await nums('group:none status:closed')).toEqual([closed.number]);
    const events = (await t.admin.get(`/api/v1/tickets/${open.number}/events?action=group_changed`)).json().items as { from: unknown; to: unknown; actor: unknown }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ from: doomed, to: null });
  });
});
