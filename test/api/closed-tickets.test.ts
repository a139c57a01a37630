import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { events, group, rule, settle, sweep } from '../automations/support.js';

const D = 86_400_000;

/**
 * Closed is final (DESIGN.md 10): staff can no longer change a closed ticket or write to the
 * customer on it; notes, the spam flag and stars still work, and so do rules that close tickets.
 */
describeEachDialect('closed tickets', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let groupId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Cleo Closer' });
    groupId = await group(t, 'Closers', [agent.userId]);
    expect((await t.admin.post('/api/v1/custom-fields', { key: 'order_ref', label: 'Order reference', type: 'text' })).statusCode).toBe(201);
  });
  afterAll(() => t.close());

  async function closedTicket(over: Record<string, unknown> = {}): Promise<{ number: number; id: string; priority: string }> {
    const tk = await createTicket(t.admin, { tags: ['legacy'], ...over });
    const res = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { status: 'closed' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }
  const current = async (n: number) => (await t.admin.get(`/api/v1/tickets/${n}`)).json();
  const expectClosedRefusal = (res: LightMyRequestResponse, numbers: number[], what: string) => {
    expect(res.statusCode, what).toBe(409);
    expect(res.json().error, what).toMatchObject({ code: 'ticket_closed', details: { numbers } });
    expect(res.json().error.message, what).toMatch(/closed.*new ticket.*follow-up/);
  };

  it('refuses a change to any field of a closed ticket, and the ticket and its history stay as they were', async () => {
    const tk = await closedTicket();
    // Read once the close has settled: its SLA clock stops after the commit.
    await settle(t);
    const before = await current(tk.number);
    const history = (await events(t, tk.number)).length;
    const patches: Record<string, unknown> = {
      priority: { priority: 'urgent' },
      tags: { tags: ['new'] },
      addTags: { addTags: ['more'] },
      removeTags: { removeTags: ['legacy'] },
      assignee: { assigneeId: agent.userId },
      group: { groupId },
      type: { type: 'incident' },
      customFields: { customFields: { order_ref: 'A-1' } },
      subject: { subject: 'Renamed' },
      withSpam: { spam: true, priority: 'low' },
      withStar: { starred: true, priority: 'low' },
    };
    for (const [what, body] of Object.entries(patches)) expectClosedRefusal(await agent.patch(`/api/v1/tickets/${tk.number}`, body), [tk.number], what);
    await settle(t);
    expect(await current(tk.number)).toEqual(before);
    expect((await events(t, tk.number)).length).toBe(history);
    // A move out of closed stays what it was: an invalid transition, naming the moves allowed (none).
    const reopen = await agent.patch(`/api/v1/tickets/${tk.number}`, { status: 'open' });
    expect(reopen.json().error).toMatchObject({ code: 'invalid_transition', details: { from: 'closed', allowed: [] } });
  });

  it('a patch that changes nothing, the star and the spam flag still go through', async () => {
    const tk = await closedTicket();
    expect((await agent.patch(`/api/v1/tickets/${tk.number}`, { status: 'closed', priority: tk.priority })).statusCode).toBe(200);
    const starred = await agent.patch(`/api/v1/tickets/${tk.number}`, { starred: true });
    expect([starred.statusCode, starred.json().starred]).toEqual([200, true]);
    const spam = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { spam: true });
    expect([spam.statusCode, spam.json().spam]).toEqual([200, true]);
    const restored = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { spam: false });
    expect([restored.statusCode, restored.json().spam]).toEqual([200, false]);
    expect(await current(tk.number)).toMatchObject({ status: 'closed', priority: tk.priority, tags: ['legacy'] });
  });

  it('refuses a public reply (also one that sets a status) but takes an internal note', async () => {
    const tk = await closedTicket();
    expectClosedRefusal(await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'One more thing' }), [tk.number], 'reply');
    expectClosedRefusal(await agent.post(`/api/v1/tickets/${tk.number}/messages`, { body: 'Default kind is a reply' }), [tk.number], 'default kind');
    expectClosedRefusal(await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'Reopen?', setStatus: 'open' }), [tk.number], 'with status');
    const note = await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'note', body: 'Customer called back; told them to write in again.' });
    expect(note.statusCode).toBe(201);
    expect(note.json().ticket).toMatchObject({ status: 'closed', messageCount: 2 });
    const kinds = (await agent.get(`/api/v1/tickets/${tk.number}/messages`)).json().items.map((m: { kind: string }) => m.kind);
    expect(kinds).toEqual(['customer', 'note']);
  });

  it('a bulk change that touches closed tickets is refused whole, naming them; spam alone, or nothing to change on them, goes through', async () => {
    const open = await createTicket(t.admin);
    const a = await closedTicket();
    const b = await closedTicket();
    const refused = await t.admin.post('/api/v1/tickets/bulk', { numbers: [b.number, open.number], ids: [a.id], changes: { priority: 'high' } });
    expectClosedRefusal(refused, [a.number, b.number], 'bulk');
    expect((await current(open.number)).priority).toBe('medium');
    expect((await t.admin.post('/api/v1/tickets/bulk', { numbers: [open.number, a.number], changes: { spam: true, addTags: ['junk'] } })).statusCode).toBe(409);

    const spam = await t.admin.post('/api/v1/tickets/bulk', { numbers: [open.number, a.number], changes: { spam: true } });
    expect(spam.statusCode).toBe(200);
    expect(spam.json().updated.sort()).toEqual([open.number, a.number].sort());
    expect((await t.admin.post('/api/v1/tickets/bulk', { numbers: [open.number, a.number], changes: { spam: false } })).statusCode).toBe(200);
    // Closing a selection that holds a ticket closed already closes the others.
    const close = await t.admin.post('/api/v1/tickets/bulk', { numbers: [open.number, b.number], changes: { status: 'closed' } });
    expect([close.statusCode, close.json().updated]).toEqual([200, [open.number]]);
  });

  it('a closed ticket neither takes in nor gives up messages: merge on either side and split are refused, naming it', async () => {
    const closed = await closedTicket();
    const open = await createTicket(t.admin, { subject: 'Still open' });
    const other = await createTicket(t.admin, { subject: 'Open too' });
    expectClosedRefusal(await agent.post(`/api/v1/tickets/${open.number}/merge`, { sourceNumbers: [closed.number, other.number] }), [closed.number], 'closed source');
    expectClosedRefusal(await agent.post(`/api/v1/tickets/${closed.number}/merge`, { sourceNumbers: [open.number] }), [closed.number], 'closed target');
    const reply = await agent.post(`/api/v1/tickets/${closed.number}/messages`, { kind: 'note', body: 'A note on the closed ticket' });
    expect(reply.statusCode).toBe(201);
    expectClosedRefusal(await agent.post(`/api/v1/tickets/${closed.number}/split`, { messageIds: [reply.json().message.id] }), [closed.number], 'split');
    // Nothing moved, nothing closed by the refused merges.
    expect((await current(other.number)).mergedIntoNumber).toBeNull();
    expect((await current(closed.number)).messageCount).toBe(2);
  });

  it('escalating a closed ticket is refused like any other change', async () => {
    const tk = await closedTicket();
    expectClosedRefusal(await agent.post(`/api/v1/tickets/${tk.number}/escalate`, { groupId, note: 'Tier 2 please' }), [tk.number], 'escalate');
    expect((await current(tk.number)).groupId).toBeNull();
  });

  it('renaming or deleting a tag everywhere reaches closed tickets too', async () => {
    const tk = await closedTicket({ tags: [`old-${dialect}`] });
    expect((await t.admin.patch(`/api/v1/tags/old-${dialect}`, { name: `new-${dialect}` })).statusCode).toBe(200);
    expect((await current(tk.number)).tags).toEqual([`new-${dialect}`]);
    expect((await t.admin.delete(`/api/v1/tags/new-${dialect}`)).statusCode).toBe(200);
    expect((await current(tk.number)).tags).toEqual([]);
  });

  it('rules still close tickets; a rule acting on a closed ticket skips its changes and says why, and its note is kept', async () => {
    await rule(t, { name: 'Close resolved', kind: 'time', conditions: { filter: 'status:resolved tag:autoclose resolved>5d' }, actions: [{ type: 'set_status', status: 'closed' }] });
    await rule(t, { name: 'Archive closed', kind: 'time', conditions: { filter: 'status:closed tag:autoclose' }, actions: [{ type: 'add_tags', tags: ['archived'] }, { type: 'add_note', body: 'Archived' }] });
    await rule(t, { name: 'Bump on close', kind: 'trigger', events: ['ticket.status_changed'], conditions: { filter: 'status:closed tag:bump' }, actions: [{ type: 'set_priority', priority: 'urgent' }] });
    const ruleResults = async (number: number) => {
      const applied = (await events(t, number)).filter((e) => e.action === 'rule_applied').map((e) => e.to as { name: string; actions: { type: string; result: string }[] });
      return Object.fromEntries(applied.flatMap((a) => a.actions.map((x) => [`${a.name}: ${x.type}`, x.result])));
    };

    // A trigger on an agent's close.
    const bumped = await closedTicket({ tags: ['bump'] });
    await settle(t);
    expect(await current(bumped.number)).toMatchObject({ status: 'closed', priority: 'medium' });
    expect(await ruleResults(bumped.number)).toEqual({ 'Bump on close: set_priority': expect.stringMatching(/^skipped: Ticket #\d+ is closed/) });

    // A time rule closes; the next sweep finds the ticket closed.
    const tk = await createTicket(t.admin, { tags: ['autoclose'] });
    expect((await t.admin.patch(`/api/v1/tickets/${tk.number}`, { status: 'resolved' })).statusCode).toBe(200);
    t.clock.advance(6 * D);
    await sweep(t);
    await settle(t);
    expect(await current(tk.number)).toMatchObject({ status: 'closed', priority: 'medium', tags: ['autoclose'] });
    await sweep(t);
    await settle(t);
    expect(await current(tk.number)).toMatchObject({ status: 'closed', tags: ['autoclose'], messageCount: 2 });
    expect(await ruleResults(tk.number)).toEqual({
      'Close resolved: set_status': 'changed',
      'Archive closed: add_tags': expect.stringMatching(/^skipped: Ticket #\d+ is closed/),
      'Archive closed: add_note': 'done',
    });
  });
});
