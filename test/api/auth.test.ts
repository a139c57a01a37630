import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

describeEachDialect('auth over HTTP', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  const login = (email: string, password: string, cookie?: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers: cookie ? { cookie } : {} });
  const sessionCookie = (res: { cookies: { name: string; value: string }[] }) => {
    const c = res.cookies.find((x) => x.name === 'tessera_session');
    return c ? `tessera_session=${c.value}` : '';
  };

  it('health answers with the dialect and version', async () => {
    const res = await t.anonymous.get('/api/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', db: dialect });
  });

  it('logs in with a cookie that is HttpOnly and SameSite, and GET /me works with it', async () => {
    const res = await login('root@tessera.test', 'root password 1');
    expect(res.statusCode).toBe(200);
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Lax/);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: sessionCookie(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ email: 'root@tessera.test', role: 'admin' });
  });

  it('rotates the session at login: the old cookie stops working', async () => {
    const first = await login('root@tessera.test', 'root password 1');
    const old = sessionCookie(first);
    const second = await login('root@tessera.test', 'root password 1', old);
    expect(sessionCookie(second)).not.toBe(old);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: old } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: sessionCookie(second) } })).statusCode).toBe(200);
  });

  it('rejects a wrong password with a stable code and audits the failure', async () => {
    const res = await login('root@tessera.test', 'nope nope nope');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_credentials');
    const audit = await t.admin.get('/api/v1/audit-log?action=login.failed');
    expect(audit.json().items.length).toBeGreaterThan(0);
    expect(audit.json().items.every((e: { action: string }) => e.action === 'login.failed')).toBe(true);
    // A misspelt action is an error that names the field, not an empty log.
    const typo = await t.admin.get('/api/v1/audit-log?action=login.faild');
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'querystring.action' }] } });
    expect(typo.json().error.message).toContain('login.failed');
  });

  it('requires the CSRF header for cookie-authenticated writes, not for tokens', async () => {
    const res = await login('root@tessera.test', 'root password 1');
    const cookie = sessionCookie(res);
    const csrf = res.json().csrfToken as string;
    const body = { subject: 'Hi', requester: { email: 'x@y.test' }, message: { body: 'hello' } };
    const without = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { cookie }, payload: body });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.code).toBe('csrf_failed');
    const withHeader = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { cookie, 'x-csrf-token': csrf }, payload: body });
    expect(withHeader.statusCode).toBe(201);
    expect((await t.admin.post('/api/v1/tickets', body)).statusCode).toBe(201);
  });

  it('logout ends the session', async () => {
    const res = await login('root@tessera.test', 'root password 1');
    const cookie = sessionCookie(res);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': res.json().csrfToken } });
    expect(out.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('rate-limits repeated logins', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) codes.push((await login('nobody@tessera.test', 'whatever')).statusCode);
    expect(codes).toContain(429);
    const limited = await login('nobody@tessera.test', 'whatever');
    expect(limited.json().error.code).toBe('rate_limited');
  });

  it('limits guesses of the current password as it limits logins, per address (one budget with login) and per account, and audits them', async () => {
    const max = t.deps.config.loginAttemptsPerMinute;
    const inject = (url: string, payload: object, remoteAddress: string, token?: string) =>
      t.app.inject({ method: 'POST', url, payload, remoteAddress, headers: token ? { authorization: `Bearer ${token}` } : {} });
    const change = (who: { token: string }, currentPassword: string, from: string) =>
      inject('/api/v1/me/password', { currentPassword, newPassword: 'a brand new password' }, from, who.token);
    const signIn = (from: string, password = 'nope nope nope') => inject('/api/v1/auth/login', { email: 'root@tessera.test', password }, from);

    // From one address: wrong guesses are refused as wrong until the budget is spent, then even the right password waits.
    const guesser = await t.user({ role: 'agent' });
    const codes: number[] = [];
    for (let i = 0; i < max + 1; i++) codes.push((await change(guesser, `guess ${i}`, '198.51.100.1')).statusCode);
    expect(codes).toEqual([...Array<number>(max).fill(401), 429]);
    const limited = await change(guesser, 'correct horse battery', '198.51.100.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    const audit = (await t.admin.get('/api/v1/audit-log?action=user.password_change_failed')).json().items.filter((e: { targetId: string }) => e.targetId === guesser.userId);
    expect(audit).toHaveLength(max);
    expect(audit[0]).toMatchObject({ actorType: 'user', actorId: guesser.userId, targetType: 'user', ip: '198.51.100.1' });

    // One budget with login, both ways round.
    for (let i = 0; i < max; i++) expect((await signIn('198.51.100.2')).statusCode).toBe(401);
    expect((await change(await t.user({ role: 'agent' }), 'correct horse battery', '198.51.100.2')).statusCode).toBe(429);
    const other = await t.user({ role: 'agent' });
    for (let i = 0; i < max; i++) expect((await change(other, 'wrong', '198.51.100.3')).statusCode).toBe(401);
    expect((await signIn('198.51.100.3', 'root password 1')).statusCode).toBe(429);

    // Per account: a stolen session gains nothing by coming from many addresses.
    const roamed = await t.user({ role: 'agent' });
    for (let i = 0; i < max; i++) expect((await change(roamed, 'wrong', `203.0.113.${i + 1}`)).statusCode).toBe(401);
    expect((await change(roamed, 'correct horse battery', '203.0.113.200')).statusCode).toBe(429);
  });

  it('creates, uses and revokes a personal API token; a read-only token cannot write', async () => {
    const created = await t.admin.post('/api/v1/tokens', { name: 'script', scopes: ['read'] });
    expect(created.statusCode).toBe(201);
    const token = created.json().token as string;
    const auth = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth })).statusCode).toBe(200);
    const write = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: auth, payload: { name: 'X' } });
    expect(write.statusCode).toBe(403);
    const list = await t.admin.get('/api/v1/tokens');
    expect(list.json().items.map((i: { name: string }) => i.name)).toContain('script');
    expect(JSON.stringify(list.json())).not.toContain(token);
    expect((await t.admin.delete(`/api/v1/tokens/${created.json().id}`)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth })).statusCode).toBe(401);
  });

  it('answers 401 without credentials and 404 JSON for unknown routes', async () => {
    const res = await t.anonymous.get('/api/v1/tickets');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
    const missing = await t.admin.get('/api/v1/nothing-here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('lets an admin manage users and groups, and audits it; agents cannot', async () => {
    const group = await t.admin.post('/api/v1/groups', { name: `Billing ${dialect}` });
    expect(group.statusCode).toBe(201);
    const user = await t.admin.post('/api/v1/users', { email: `agent-${dialect}@tessera.test`, name: 'Agent A', role: 'agent', password: 'long enough pw', groupIds: [group.json().id], skills: ['billing'], maxLoad: 20 });
    expect(user.statusCode).toBe(201);
    expect(user.json()).toMatchObject({ role: 'agent', skills: ['billing'], maxLoad: 20, groupIds: [group.json().id] });
    const dup = await t.admin.post('/api/v1/users', { email: `agent-${dialect}@tessera.test`, name: 'Again' });
    expect(dup.statusCode).toBe(409);
    const agent = await t.user({ role: 'agent' });
    expect((await agent.post('/api/v1/users', { email: 'z@z.test', name: 'Z' })).statusCode).toBe(403);
    expect((await agent.get('/api/v1/groups')).statusCode).toBe(200);
    const audit = await t.admin.get('/api/v1/audit-log?action=user.created');
    expect(audit.json().items.some((e: { data: { email?: string } }) => e.data.email === `agent-${dialect}@tessera.test`)).toBe(true);
    expect((await agent.get('/api/v1/audit-log')).statusCode).toBe(403);
  });

  it('refuses to demote the last admin and names bad fields', async () => {
    const me = (await t.admin.get('/api/v1/me')).json().user;
    const bad = await t.admin.post('/api/v1/users', { email: 'not-an-email', name: 'X', colour: 'red' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    const paths = bad.json().error.details.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.colour']));
    expect(me.role).toBe('admin');
  });

  const fieldsOf = (res: { json(): { error: { details?: { fields?: { path: string }[] } } } }) => (res.json().error.details?.fields ?? []).map((f) => f.path);

  it('refuses a contact that does not exist and groups for a customer', async () => {
    const group = await t.admin.post('/api/v1/groups', { name: `Customers? ${dialect}` });
    const ghost = await t.admin.post('/api/v1/users', { email: `ghost-${dialect}@tessera.test`, name: 'Ghost', role: 'customer', contactId: '01900000-0000-7000-8000-000000000000' });
    expect(ghost.statusCode).toBe(400);
    expect(fieldsOf(ghost)).toEqual(['contactId']);
    const grouped = await t.admin.post('/api/v1/users', { email: `grouped-${dialect}@tessera.test`, name: 'Grouped', role: 'customer', groupIds: [group.json().id] });
    expect(grouped.statusCode).toBe(400);
    expect(fieldsOf(grouped)).toEqual(['groupIds']);
    const tk = await createTicket(t.admin);
    const linked = await t.admin.post('/api/v1/users', { email: `linked-${dialect}@tessera.test`, name: 'Linked', role: 'customer', contactId: (tk.requester as { id: string }).id });
    expect(linked.statusCode).toBe(201);
    const later = await t.admin.patch(`/api/v1/users/${linked.json().id}`, { groupIds: [group.json().id] });
    expect(later.statusCode).toBe(400);
    expect(fieldsOf(later)).toEqual(['groupIds']);
  });

  it('makes an agent a customer only once their open tickets are reassigned, and takes them out of their groups', async () => {
    const group = await t.admin.post('/api/v1/groups', { name: `Demoted ${dialect}` });
    const agent = await t.user({ role: 'agent', groupIds: [group.json().id] });
    const tk = await createTicket(t.admin, { assigneeId: agent.userId });
    const refused = await t.admin.patch(`/api/v1/users/${agent.userId}`, { role: 'customer' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/1 open ticket\b/);
    expect((await t.admin.get(`/api/v1/users/${agent.userId}`)).json()).toMatchObject({ role: 'agent', groupIds: [group.json().id] });
    expect((await t.admin.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: null })).statusCode).toBe(200);
    const demoted = await t.admin.patch(`/api/v1/users/${agent.userId}`, { role: 'customer' });
    expect(demoted.statusCode).toBe(200);
    expect(demoted.json()).toMatchObject({ role: 'customer', groupIds: [] });
    expect((await t.admin.get(`/api/v1/groups/${group.json().id}`)).json().memberIds).toEqual([]);
  });

  it('keeps skills without repeats and refuses one no skill: tag can name', async () => {
    const user = await t.admin.post('/api/v1/users', { email: `skills-${dialect}@tessera.test`, name: 'Skilled', skills: ['a', 'a', 'French', 'french'] });
    expect(user.statusCode).toBe(201);
    expect(user.json().skills).toEqual(['a', 'French']);
    const spaced = await t.admin.patch(`/api/v1/users/${user.json().id}`, { skills: ['ok', 'a b'] });
    expect(spaced.statusCode).toBe(400);
    expect(fieldsOf(spaced)).toEqual(['body.skills.1']);
    const again = await t.admin.patch(`/api/v1/users/${user.json().id}`, { skills: ['x', 'x'] });
    expect(again.json().skills).toEqual(['x']);
  });
});

describe('error codes', () => {
  it('every code has a status and a description', async () => {
    const { ERROR_CODES } = await import('../../contracts/errors.js');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(spec.description.length, code).toBeGreaterThan(10);
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
    }
  });
});

describeEachDialect('installation settings', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('has defaults, validates, is admin-only to change, and audits the change', async () => {
    expect((await t.admin.get('/api/v1/settings')).json()).toMatchObject({ helpdeskName: 'Tessera', timeZone: 'UTC' });
    const bad = await t.admin.patch('/api/v1/settings', { timeZone: 'Mars/Olympus' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].path).toBe('body.timeZone');
    const ok = await t.admin.patch('/api/v1/settings', { helpdeskName: 'Acme Support', timeZone: 'Europe/Berlin' });
    expect(ok.json()).toMatchObject({ helpdeskName: 'Acme Support', timeZone: 'Europe/Berlin' });
    const agent = await t.user({ role: 'agent' });
    expect((await agent.patch('/api/v1/settings', { helpdeskName: 'Mine' })).statusCode).toBe(403);
    expect((await agent.get('/api/v1/settings')).json().helpdeskName).toBe('Acme Support');
    const audit = (await t.admin.get('/api/v1/audit-log?action=settings.updated')).json().items;
    expect(audit[0].data).toMatchObject({ changed: ['helpdeskName', 'timeZone'], after: { timeZone: 'Europe/Berlin' } });
  });
});
