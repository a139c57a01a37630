import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/** The internal notice board at the top of the workspace. */
describeEachDialect('workspace: notice board', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Alice Agent' });
  });
  afterAll(() => t.close());

  const titles = async (who: ApiClient, q = ''): Promise<string[]> => ((await who.get(`/api/v1/notices${q}`)).json().items as { title: string }[]).map((n) => n.title);

  it('admins post notices; agents see the active ones, pinned first, newest next', async () => {
    const post = (body: object) => t.admin.post('/api/v1/notices', body);
    expect((await post({ title: 'Old news', body: 'Welcome!' })).statusCode).toBe(201);
    t.clock.advance(60_000);
    const pinned = await post({ title: 'Phones down until noon', body: 'Use chat.', pinned: true });
    expect(pinned.json()).toMatchObject({ pinned: true, expiresAt: null, author: { id: t.admin.userId, name: 'Ada Admin' } });
    t.clock.advance(60_000);
    await post({ title: 'Fresh', body: '' });
    await post({ title: 'Expiring', expiresAt: new Date(t.clock.now().getTime() + 3600_000).toISOString() });
    expect(await titles(agent)).toEqual(['Phones down until noon', 'Expiring', 'Fresh', 'Old news']);
    t.clock.advance(2 * 3600_000);
    expect(await titles(agent)).toEqual(['Phones down until noon', 'Fresh', 'Old news']);
    expect(await titles(t.admin, '?include=all')).toContain('Expiring');
    expect((await agent.get('/api/v1/notices?include=all')).statusCode).toBe(403);
  });

  it('only admins write, and bad input names the field', async () => {
    expect((await agent.post('/api/v1/notices', { title: 'Me too' })).statusCode).toBe(403);
    const bad = await t.admin.post('/api/v1/notices', { title: 'When?', expiresAt: 'tomorrow' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].path).toBe('body.expiresAt');
    const id = ((await t.admin.get('/api/v1/notices')).json().items as { id: string; title: string }[]).find((n) => n.title === 'Fresh')!.id;
    expect((await agent.patch(`/api/v1/notices/${id}`, { pinned: true })).statusCode).toBe(403);
    expect((await t.admin.patch(`/api/v1/notices/${id}`, { pinned: true, expiresAt: null })).json()).toMatchObject({ title: 'Fresh', pinned: true });
    expect((await titles(agent))[0]).toBe('Fresh');
    expect((await t.admin.delete(`/api/v1/notices/${id}`)).statusCode).toBe(200);
    expect(await titles(agent)).not.toContain('Fresh');
    expect((await t.admin.delete(`/api/v1/notices/${id}`)).statusCode).toBe(404);
    // Posting, changing and removing are admin actions: each is in the audit log, refusals are not.
    const audit = async (action: string) => ((await t.admin.get(`/api/v1/audit-log?action=${action}`)).json().items as { targetId: string; actorId: string; data: Record<string, unknown> }[]);
    const created = await audit('notice.created');
    expect(created.map((a) => a.data.title)).toEqual(['Expiring', 'Fresh', 'Phones down until noon', 'Old news']);
    expect(created.find((a) => a.data.title === 'Fresh')).toMatchObject({ targetId: id, actorId: t.admin.userId });
    expect(await audit('notice.updated')).toEqual([expect.objectContaining({ targetId: id, data: { title: 'Fresh', changed: ['pinned', 'expiresAt'] } })]);
    expect(await audit('notice.deleted')).toEqual([expect.objectContaining({ targetId: id, data: { title: 'Fresh' } })]);
  });
});
