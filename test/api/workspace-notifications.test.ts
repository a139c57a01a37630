import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { TestSocket } from '../realtime/ws-client.js';

type Note = { id: string; kind: string; ticket: { number: number; subject: string }; messageId: string | null; actor: { name: string; type: string }; excerpt: string; read: boolean };

/** The agent's bell: mentions, assignments and customer replies, listed, counted, read and pushed live. */
describeEachDialect('workspace: notifications bell', (dialect) => {
  let t: TestApp;
  let alice: ApiClient;
  let bob: ApiClient;
  let bobSocket: TestSocket;

  /** Changes commit, the dispatcher enqueues the job, the worker runs it, its event is pushed. */
  const settle = async () => {
    await t.deps.events.idle();
    await t.deps.jobs.drain();
    await t.deps.events.idle();
  };
  const list = async (who: ApiClient, query = ''): Promise<{ items: Note[]; nextCursor: string | null }> => (await who.get(`/api/v1/notifications${query}`)).json();
  const unread = async (who: ApiClient): Promise<number> => (await who.get('/api/v1/notifications/unread-count')).json().unread;

  const customerSession = async (ticket: Record<string, unknown>, email: string) => {
    const u = await t.user({ role: 'customer', name: 'Cora Customer', email, contactId: (ticket.requester as { id: string }).id });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: u.email, password: 'correct horse battery' } });
    const cookie = `tessera_session=${res.cookies.find((c) => c.name === 'tessera_session')!.value}`;
    return (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload, headers: { cookie, 'x-csrf-token': res.json().csrfToken as string } });
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    alice = await t.user({ role: 'agent', name: 'Alice Agent', email: `alice-n-${dialect}@tessera.test` });
    bob = await t.user({ role: 'agent', name: 'Bob Builder', email: `bob-n-${dialect}@tessera.test` });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    bobSocket = await TestSocket.open(`ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/ws?token=${bob.token}`);
    await bobSocket.subscribe([`agent:${bob.userId}`]);
  });
  afterAll(async () => {
    bobSocket.close();
    await t.close();
  });

  it('an @mention in a note notifies the mentioned agent (not the author), links to the note, and rings live', async () => {
    const tk = await createTicket(t.admin, { subject: 'Mention me' });
    const note = await alice.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'note', body: `@bob-n-${dialect} can you check the   invoice? Also @alice-n-${dialect}` });
    expect(note.statusCode).toBe(201);
    await settle();
    const { items } = await list(bob);
    expect(items[0]).toMatchObject({
      kind: 'mention',
      ticket: { number: tk.number, subject: 'Mention me' },
      messageId: note.json().message.id,
      actor: { type: 'user', name: 'Alice Agent' },
      excerpt: `@bob-n-${dialect} can you check the invoice? Also @alice-n-${dialect}`,
      read: false,
    });
    expect((await list(alice)).items).toEqual([]);
    const pushed = await bobSocket.event('notification.created');
    expect(pushed.data).toMatchObject({ unreadCount: 1, notification: { id: items[0]!.id, kind: 'mention', messageId: note.json().message.id } });
  });

  it('a restricted agent is told only of mentions on tickets they can open', async () => {
    const gid = (await t.admin.post('/api/v1/groups', { name: `Night shift ${dialect}` })).json().id as string;
    const rita = await t.user({ role: 'agent', name: 'Rita Restricted', email: `rita-n-${dialect}@tessera.test`, restrictedToGroups: true, groupIds: [gid] });
    const hidden = await createTicket(t.admin, { subject: 'Secret project' });
    const theirs = await createTicket(t.admin, { subject: 'Night shift ticket', groupId: gid });
    for (const tk of [hidden, theirs]) await alice.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'note', body: `@rita-n-${dialect} FYI` });
    await settle();
    expect((await list(rita)).items.map((n) => n.ticket.subject)).toEqual(['Night shift ticket']);
  });

  it('assigning a ticket notifies the new assignee, unless they took it themselves', async () => {
    const tk = await createTicket(t.admin, { subject: 'Please take this' });
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: bob.userId });
    const own = await createTicket(t.admin, { subject: 'Mine now' });
    await bob.patch(`/api/v1/tickets/${own.number}`, { assigneeId: bob.userId });
    await settle();
    const assigned = (await list(bob)).items.filter((n) => n.kind === 'assigned');
    expect(assigned).toEqual([expect.objectContaining({ ticket: expect.objectContaining({ number: tk.number }), messageId: null, actor: { type: 'user', id: t.admin.userId, name: 'Ada Admin' } })]);
  });

  it('a ticket made already assigned tells its assignee once, as assigned (its opening message is no reply), singly or in a batch; one made for oneself nobody', async () => {
    const made = await createTicket(t.admin, { subject: 'Born assigned', assigneeId: alice.userId });
    const batch = await t.admin.post('/api/v1/tickets/batch', { tickets: [{ subject: 'Batch born assigned', requester: { email: 'ba@customer.test' }, message: { body: 'Hi' }, assigneeId: alice.userId }] });
    expect(batch.statusCode).toBe(201);
    const selfMade = await createTicket(alice, { subject: 'Made for myself', assigneeId: alice.userId });
    await settle();
    const about = async (number: number) => (await list(alice)).items.filter((n) => n.ticket.number === number).map((n) => [n.kind, n.actor.name]);
    expect(await about(made.number)).toEqual([['assigned', 'Ada Admin']]);
    expect(await about(batch.json().items[0].number as number)).toEqual([['assigned', 'Ada Admin']]);
    expect(await about(selfMade.number)).toEqual([]);
  });

  it('a customer reply notifies the assignee with a link to the message; on an unassigned ticket nobody', async () => {
    const tk = await createTicket(t.admin, { subject: 'Customer writes back', assigneeId: bob.userId, requester: { email: `cw-${dialect}@customer.test`, name: 'Cora Customer' } });
    const loose = await createTicket(t.admin, { subject: 'Nobody owns me', requester: { email: `cw-${dialect}@customer.test` } });
    await settle();
    const before = await unread(bob);
    const post = await customerSession(tk, `cw-${dialect}@portal.test`);
    const reply = await post(`/api/v1/tickets/${tk.number}/messages`, { body: 'Still not working, sorry!' });
    expect(reply.statusCode).toBe(201);
    expect((await post(`/api/v1/tickets/${loose.number}/messages`, { body: 'Hello?' })).statusCode).toBe(201);
    await settle();
    expect(await unread(bob)).toBe(before + 1);
    expect((await list(bob)).items[0]).toMatchObject({ kind: 'customer_reply', messageId: reply.json().message.id, actor: { type: 'contact', name: 'Cora Customer' }, excerpt: 'Still not working, sorry!' });
    expect((await list(alice)).items.filter((n) => n.ticket.number === loose.number)).toEqual([]);
  });

  it('lists unread first, pages by keyset without gaps or repeats, and marks one or all read', async () => {
    const count = await unread(bob);
    expect(count).toBeGreaterThanOrEqual(3);
    const first = (await list(bob)).items;
    const oldest = first[first.length - 1]!;
    const read = await bob.post(`/api/v1/notifications/${oldest.id}/read`);
    expect(read.json()).toMatchObject({ id: oldest.id, read: true });
    expect(await unread(bob)).toBe(count - 1);
    expect((await bobSocket.event('notification.read')).data).toEqual({ unreadCount: count - 1 });
    // The read one now sorts after every unread one.
    const walked: Note[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Note[]; nextCursor: string | null } = await list(bob, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked.map((n) => n.id)).toEqual((await list(bob)).items.map((n) => n.id));
    expect(walked.map((n) => n.read)).toEqual([...Array(count - 1).fill(false), true]);
    expect(walked[walked.length - 1]!.id).toBe(oldest.id);
    expect((await list(bob, '?unread=true')).items).toHaveLength(count - 1);

    expect((await alice.post(`/api/v1/notifications/${oldest.id}/read`)).statusCode).toBe(404);
    expect((await bob.get('/api/v1/notifications?cursor=garbage')).json().error).toMatchObject({ code: 'validation_failed' });
    expect((await bob.post('/api/v1/notifications/read-all')).json()).toEqual({ updated: count - 1 });
    expect(await unread(bob)).toBe(0);
  });

  it('a retried job never notifies twice', async () => {
    const tk = await createTicket(t.admin, { subject: 'Twice?' });
    await alice.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'note', body: `@bob-n-${dialect} once only` });
    await t.deps.events.idle();
    // Run the same notification job twice, as an at-least-once worker may.
    const { notifyFor } = await import('../../server/modules/notifications/notification-rules.js');
    const { findJobs } = await import('../../server/platform/jobs/jobs.repository.js');
    const job = (await findJobs(t.deps.database.db, { name: 'notifications.notify' })).find((j) => (j.payload as { payload: { number: number } }).payload.number === tk.number)!;
    await t.deps.jobs.drain();
    expect(await notifyFor(t.systemCtx(), job.payload as never)).toBe(0);
    await t.deps.events.idle();
    expect((await list(bob)).items.filter((n) => n.ticket.number === tk.number)).toHaveLength(1);
  });

  it('a ticket deleted as spam takes its notifications along: gone from the list and the unread count, the badge follows live', async () => {
    const junk = await createTicket(t.admin, { subject: 'Cheap pills, with a mention' });
    const kept = await createTicket(t.admin, { subject: 'A real question, with a mention' });
    for (const tk of [junk, kept]) await alice.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'note', body: `@bob-n-${dialect} have a look` });
    await settle();
    const before = await unread(bob);
    expect((await list(bob)).items.filter((n) => n.ticket.number === junk.number)).toHaveLength(1);
    expect((await t.admin.patch(`/api/v1/tickets/${junk.number}`, { spam: true })).statusCode).toBe(200);
    // Earlier tests' read-all may still be on its way: wait for the push that carries the new count.
    const pushed = bobSocket.next((f) => f.type === 'event' && f.event === 'notification.read' && (f.data as { unreadCount: number }).unreadCount === before - 1);
    expect((await t.admin.delete(`/api/v1/tickets/${junk.number}`)).statusCode).toBe(200);
    await settle();
    const numbers = (await list(bob, '?limit=100')).items.map((n) => n.ticket.number);
    expect(numbers).not.toContain(junk.number);
    expect(numbers).toContain(kept.number);
    expect(await unread(bob)).toBe(before - 1);
    expect((await pushed).data).toEqual({ unreadCount: before - 1 });
  });
});
