import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

interface TagJson {
  name: string;
  ticketCount: number;
}

/** The tags admin API: counts, rename, merge, delete, each change a ticket event and a ticket.updated. */
describeEachDialect('tags', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  const updated: { number: number; changes: string[] }[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Tina Tags' });
    t.deps.events.subscribe('ticket.updated', (e) => {
      const p = e.payload as { number: number; changes: string[] };
      updated.push({ number: p.number, changes: p.changes });
    });
  });
  afterAll(() => t.close());

  const tags = async (who: ApiClient = agent): Promise<TagJson[]> => (await who.get('/api/v1/tags')).json().items as TagJson[];
  const tagsOf = async (n: number): Promise<string[]> => (await t.admin.get(`/api/v1/tickets/${n}`)).json().tags as string[];
  const tagEvents = async (n: number) =>
    ((await t.admin.get(`/api/v1/tickets/${n}/events?action=tags_changed`)).json().items as { from: string[]; to: string[]; data: Record<string, unknown> }[]);

  it('lists every tag with its ticket count for staff', async () => {
    await createTicket(t.admin, { subject: 'A', tags: ['billing', 'refund'] });
    await createTicket(t.admin, { subject: 'B', tags: ['billing'] });
    await createTicket(t.admin, { subject: 'C', tags: ['vip'] });
    expect(await tags()).toEqual([
      { name: 'billing', ticketCount: 2 },
      { name: 'refund', ticketCount: 1 },
      { name: 'vip', ticketCount: 1 },
    ]);
  });

  it('takes words of any script as tags, marks included, and filters by them', async () => {
    const tk = await createTicket(agent, { subject: 'Tagged in many scripts', tags: ['हिन्दी', 'İstanbul', 'Ünïcode', 'ภาษาไทย'] });
    const tagsNow = await tagsOf(tk.number);
    expect(tagsNow).toHaveLength(4);
    expect(tagsNow).toEqual(expect.arrayContaining(['हिन्दी', 'ünïcode', 'ภาษาไทย']));
    for (const tag of tagsNow) {
      const res = await agent.get(`/api/v1/tickets?q=${encodeURIComponent(`tag:${tag}`)}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items.map((x: { number: number }) => x.number), tag).toEqual([tk.number]);
    }
    expect((await agent.post('/api/v1/tickets', { subject: 'x', requester: { email: 'a@b.test' }, message: { body: 'x' }, tags: ['two words'] })).statusCode).toBe(400);
  });

  it('renames a tag on every ticket, with a ticket event and a ticket.updated each, and audits it', async () => {
    const a = await createTicket(t.admin, { subject: 'Rename 1', tags: ['old-name', 'keep'] });
    const b = await createTicket(t.admin, { subject: 'Rename 2', tags: ['old-name'] });
    await t.deps.events.idle();
    updated.length = 0;
    const res = await t.admin.patch('/api/v1/tags/old-name', { name: 'New-Name' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ from: 'old-name', to: 'new-name', merged: false, tickets: 2 });
    expect(await tagsOf(a.number)).toEqual(['keep', 'new-name']);
    expect(await tagsOf(b.number)).toEqual(['new-name']);
    const [ev] = await tagEvents(a.number);
    expect(ev).toMatchObject({ from: ['keep', 'old-name'], to: ['keep', 'new-name'], data: { reason: 'tag_renamed', tag: 'old-name', name: 'new-name' } });
    await t.deps.events.idle();
    expect(updated.map((u) => u.number).sort()).toEqual([a.number, b.number].sort());
    expect(updated.every((u) => u.changes.includes('tags_changed'))).toBe(true);
    const names = (await tags()).map((x) => x.name);
    expect(names).toContain('new-name');
    expect(names).not.toContain('old-name');
    const audit = (await t.admin.get('/api/v1/audit-log?action=tag.renamed')).json().items;
    expect(audit[0]).toMatchObject({ actorId: t.admin.userId, targetType: 'tag', targetId: 'old-name', data: { to: 'new-name', tickets: 2 } });
  });

  it('merges into an existing tag: a ticket carrying both ends with one', async () => {
    const both = await createTicket(t.admin, { subject: 'Both', tags: ['refunds', 'refund'] });
    const res = await t.admin.patch('/api/v1/tags/refunds', { name: 'refund' });
    expect(res.json()).toEqual({ from: 'refunds', to: 'refund', merged: true, tickets: 1 });
    expect(await tagsOf(both.number)).toEqual(['refund']);
    expect((await tags()).find((x) => x.name === 'refund')?.ticketCount).toBe(2);
    expect((await tagEvents(both.number))[0]?.data).toMatchObject({ reason: 'tag_merged' });
  });

  it('renames a tag on more tickets than one batch holds', async () => {
    const many = await Promise.all(Array.from({ length: 205 }, (_, i) => createTicket(t.admin, { subject: `Many ${i}`, tags: ['many'] })));
    const res = await t.admin.patch('/api/v1/tags/many', { name: 'lots' });
    expect(res.json().tickets).toBe(205);
    expect((await tags()).find((x) => x.name === 'lots')?.ticketCount).toBe(205);
    expect(await tagsOf(many[many.length - 1]!.number)).toEqual(['lots']);
  });

  it('deletes a tag from every ticket, with events, and audits it', async () => {
    const x = await createTicket(t.admin, { subject: 'Del', tags: ['doomed', 'stays'] });
    await t.deps.events.idle();
    updated.length = 0;
    const res = await t.admin.delete('/api/v1/tags/doomed');
    expect(res.json()).toEqual({ from: 'doomed', to: null, merged: false, tickets: 1 });
    expect(await tagsOf(x.number)).toEqual(['stays']);
    expect((await tagEvents(x.number))[0]).toMatchObject({ to: ['stays'], data: { reason: 'tag_deleted' } });
    await t.deps.events.idle();
    expect(updated.map((u) => u.number)).toEqual([x.number]);
    expect((await t.admin.get('/api/v1/audit-log?action=tag.deleted')).json().items).toHaveLength(1);
    expect((await t.admin.delete('/api/v1/tags/doomed')).statusCode).toBe(404);
  });

  it('refuses agents, unknown tags and bad names, and changes nothing', async () => {
    await createTicket(t.admin, { subject: 'Guarded', tags: ['guarded'] });
    expect((await agent.patch('/api/v1/tags/guarded', { name: 'mine' })).statusCode).toBe(403);
    expect((await agent.delete('/api/v1/tags/guarded')).statusCode).toBe(403);
    expect((await t.admin.patch('/api/v1/tags/nope', { name: 'other' })).statusCode).toBe(404);
    const bad = await t.admin.patch('/api/v1/tags/guarded', { name: 'two words' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].path).toBe('body.name');
    expect((await t.admin.patch('/api/v1/tags/guarded', { name: '' })).statusCode).toBe(400);
    expect((await t.admin.patch('/api/v1/tags/guarded', { name: 'guarded' })).statusCode).toBe(400);
    expect((await t.admin.patch('/api/v1/tags/guarded', {})).statusCode).toBe(400);
    expect((await t.admin.patch(`/api/v1/tags/${encodeURIComponent('bad tag')}`, { name: 'ok' })).statusCode).toBe(400);
    expect((await tags()).find((x) => x.name === 'guarded')?.ticketCount).toBe(1);
  });

  it('handles tags with slashes and colons in the path', async () => {
    const s = await createTicket(t.admin, { subject: 'Slash', tags: ['team/support:l2'] });
    const res = await t.admin.patch(`/api/v1/tags/${encodeURIComponent('team/support:l2')}`, { name: 'team/support:l3' });
    expect(res.statusCode).toBe(200);
    expect(await tagsOf(s.number)).toEqual(['team/support:l3']);
  });

  // Both requests start before either commits; PostgreSQL runs them side by side, SQLite one after
  // the other. Either way the later one must work on what the earlier one left behind.
  it('concurrent renames of one tag: one wins, the other finds it gone (404), no ticket carries both', async () => {
    for (const round of [1, 2, 3]) {
      const tag = `rx${round}`;
      const made = await Promise.all([1, 2, 3].map((i) => createTicket(t.admin, { subject: `Race ${round}.${i}`, tags: [tag, 'bystander'] })));
      const [a, b] = await Promise.all([t.admin.patch(`/api/v1/tags/${tag}`, { name: `${tag}_a` }), t.admin.patch(`/api/v1/tags/${tag}`, { name: `${tag}_b` })]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 404]);
      const won = a.statusCode === 200 ? a : b;
      expect(won.json()).toMatchObject({ from: tag, merged: false, tickets: 3 });
      for (const ticket of made) expect(await tagsOf(ticket.number)).toEqual(['bystander', won.json().to].sort());
      const names = (await tags()).map((x) => x.name);
      expect(names).not.toContain(tag);
      expect(names.filter((n) => n === `${tag}_a` || n === `${tag}_b`)).toEqual([won.json().to]);
    }
  });

  it('a concurrent rename and delete of one tag: the later one answers 404 and sees the earlier result', async () => {
    // More tickets than one batch, so the loser also pages past the batch it waited on.
    const made = await Promise.all(Array.from({ length: 205 }, (_, i) => createTicket(t.admin, { subject: `Race del ${i}`, tags: ['rxdel'] })));
    const [renamed, deleted] = await Promise.all([t.admin.patch('/api/v1/tags/rxdel', { name: 'rxdel_new' }), t.admin.delete('/api/v1/tags/rxdel')]);
    expect([renamed.statusCode, deleted.statusCode].sort()).toEqual([200, 404]);
    const expected = renamed.statusCode === 200 ? ['rxdel_new'] : [];
    expect((renamed.statusCode === 200 ? renamed : deleted).json().tickets).toBe(205);
    for (const ticket of [made[0]!, made[204]!]) expect(await tagsOf(ticket.number)).toEqual(expected);
    const counts = await tags();
    expect(counts.find((x) => x.name === 'rxdel')).toBeUndefined();
    expect(counts.find((x) => x.name === 'rxdel_new')?.ticketCount).toBe(renamed.statusCode === 200 ? 205 : undefined);
  });

  it('lists to a restricted agent only the tags, and counts, of tickets it may open', async () => {
    const g1 = (await t.admin.post('/api/v1/groups', { name: 'Tags G1' })).json().id as string;
    const g2 = (await t.admin.post('/api/v1/groups', { name: 'Tags G2' })).json().id as string;
    const a1 = await t.user({ role: 'agent', name: 'Restricted Tags', groupIds: [g1], restrictedToGroups: true });
    await createTicket(t.admin, { subject: 'Secret', groupId: g2, tags: ['zebra-secret-tag', 'scoped-shared'] });
    await createTicket(t.admin, { subject: 'Mine by group', groupId: g1, tags: ['scoped-shared'] });
    await createTicket(t.admin, { subject: 'Mine by assignment', groupId: g2, assigneeId: a1.userId, tags: ['scoped-assigned'] });
    expect(await tags(a1)).toEqual([
      { name: 'scoped-assigned', ticketCount: 1 },
      { name: 'scoped-shared', ticketCount: 1 },
    ]);
    // Unrestricted staff still see every tag with its full count.
    const all = await tags();
    expect(all.find((x) => x.name === 'zebra-secret-tag')?.ticketCount).toBe(1);
    expect(all.find((x) => x.name === 'scoped-shared')?.ticketCount).toBe(2);
  });
});
