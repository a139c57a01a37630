import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

/** Every role trying what it must not, observed over HTTP as an integrator would. */

type Json = Record<string, unknown>;
const numbers = (res: LightMyRequestResponse): number[] => (res.json().items as { number: number }[]).map((i) => i.number);

interface CookieClient {
  csrf: string;
  userId: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, opts?: { csrf?: string | null }): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, opts?: { csrf?: string | null }): Promise<LightMyRequestResponse>;
  delete(url: string, opts?: { csrf?: string | null }): Promise<LightMyRequestResponse>;
}

/** A client that sends the session cookie (and, unless told otherwise, the CSRF header). */
function cookieClient(t: TestApp, sessionToken: string, csrf: string, userId: string): CookieClient {
  const cookie = `tessera_session=${sessionToken}`;
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body: unknown, token: string | null | undefined) =>
    t.app.inject({
      method,
      url,
      headers: { cookie, ...(token === null ? {} : { 'x-csrf-token': token ?? csrf }) },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  return {
    csrf,
    userId,
    get: (url) => call('GET', url, undefined, null),
    post: (url, body, opts) => call('POST', url, body ?? {}, opts?.csrf),
    patch: (url, body, opts) => call('PATCH', url, body ?? {}, opts?.csrf),
    delete: (url, opts) => call('DELETE', url, undefined, opts?.csrf),
  };
}

/** Signs in over HTTP with a password, as a browser does. */
async function signIn(t: TestApp, email: string, password = 'correct horse battery'): Promise<CookieClient> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const session = res.cookies.find((c) => c.name === 'tessera_session');
  return cookieClient(t, session!.value, res.json().csrfToken as string, res.json().user.id as string);
}

async function upload(t: TestApp, token: string, name: string, content: string): Promise<{ id: string; url: string }> {
  const boundary = '----authz';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

describeEachDialect('authz: an agent restricted to their groups', (dialect) => {
  let t: TestApp;
  let restricted: ApiClient;
  let groupG: string;
  let groupH: string;
  let inG: Json & { number: number; id: string };
  let inG2: Json & { number: number; id: string };
  let assignedToMe: Json & { number: number; id: string };
  let inH: Json & { number: number; id: string };
  let noGroup: Json & { number: number; id: string };
  let requesterId: string;
  let foreignAttachmentUrl: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    groupG = (await t.admin.post('/api/v1/groups', { name: 'Gamma Team' })).json().id;
    groupH = (await t.admin.post('/api/v1/groups', { name: 'Hotel Team' })).json().id;
    restricted = await t.user({ role: 'agent', name: 'Rita Restricted', groupIds: [groupG], restrictedToGroups: true });
    // Every ticket has the same requester and the word "quasar", so contact history and search would show leaks.
    const requester = { email: 'shared.requester@customer.test', name: 'Shared Requester' };
    inG = await createTicket(t.admin, { subject: 'quasar in gamma', requester, groupId: groupG });
    inG2 = await createTicket(t.admin, { subject: 'quasar second gamma', requester, groupId: groupG, priority: 'high' });
    assignedToMe = await createTicket(t.admin, { subject: 'quasar assigned to rita', requester, groupId: groupH, assigneeId: restricted.userId });
    inH = await createTicket(t.admin, { subject: 'quasar in hotel', requester, groupId: groupH, priority: 'urgent' });
    noGroup = await createTicket(t.admin, { subject: 'quasar without group', requester });
    requesterId = (inG.requester as { id: string }).id;
    const file = await upload(t, t.admin.token, 'secret.txt', 'hotel secrets');
    const posted = await t.admin.post(`/api/v1/tickets/${inH.number}/messages`, { kind: 'reply', body: 'see file', attachmentIds: [file.id] });
    expect(posted.statusCode).toBe(201);
    foreignAttachmentUrl = file.url;
  });
  afterAll(() => t.close());

  it('reads tickets of its group and tickets assigned to it', async () => {
    expect((await restricted.get(`/api/v1/tickets/${inG.number}`)).json()).toMatchObject({ number: inG.number, groupId: groupG });
    expect((await restricted.get(`/api/v1/tickets/${assignedToMe.number}`)).json()).toMatchObject({ number: assignedToMe.number, groupId: groupH });
    const msgs = await restricted.get(`/api/v1/tickets/${assignedToMe.number}/messages`);
    expect(msgs.statusCode).toBe(200);
    expect(msgs.json().items).toHaveLength(1);
  });

  it('answers 404 (never 403) for a foreign ticket on every route, and changes nothing', async () => {
    for (const tk of [inH, noGroup]) {
      const n = tk.number;
      const attempts: [string, Promise<LightMyRequestResponse>][] = [
        ['get', restricted.get(`/api/v1/tickets/${n}`)],
        ['patch', restricted.patch(`/api/v1/tickets/${n}`, { priority: 'low' })],
        ['star', restricted.patch(`/api/v1/tickets/${n}`, { starred: true })],
        ['messages', restricted.get(`/api/v1/tickets/${n}/messages`)],
        ['reply', restricted.post(`/api/v1/tickets/${n}/messages`, { kind: 'reply', body: 'hello from outside' })],
        ['note', restricted.post(`/api/v1/tickets/${n}/messages`, { kind: 'note', body: 'note from outside' })],
        ['events', restricted.get(`/api/v1/tickets/${n}/events`)],
        ['merge-into-foreign', restricted.post(`/api/v1/tickets/${n}/merge`, { sourceNumbers: [inG2.number] })],
        ['merge-foreign-in', restricted.post(`/api/v1/tickets/${inG.number}/merge`, { sourceNumbers: [n] })],
        ['split', restricted.post(`/api/v1/tickets/${n}/split`, { messageIds: ['00000000-0000-7000-8000-000000000000'] })],
        ['bulk', restricted.post('/api/v1/tickets/bulk', { numbers: [inG.number, n], changes: { priority: 'low' } })],
      ];
      for (const [what, pending] of attempts) {
        const res = await pending;
        expect(res.statusCode, `${what} #${n}: ${res.body}`).toBe(404);
        expect(res.json().error.code, what).toBe('not_found');
      }
    }
    // The bulk update was all or nothing: the visible ticket in the same request kept its priority.
    expect((await t.admin.get(`/api/v1/tickets/${inG.number}`)).json().priority).toBe('medium');
    const after = (await t.admin.get(`/api/v1/tickets/${inH.number}`)).json();
    expect(after).toMatchObject({ priority: 'urgent', messageCount: 2, status: 'open', mergedIntoNumber: null });
    expect((await t.admin.get(`/api/v1/tickets/${inG2.number}`)).json().mergedIntoNumber).toBeNull();
    const bodies = (await t.admin.get(`/api/v1/tickets/${inH.number}/messages`)).json().items.map((m: { bodyText: string }) => m.bodyText);
    expect(bodies).not.toContain('hello from outside');
    expect(bodies).not.toContain('note from outside');
  });

  it('on every route of a ticket, a foreign ticket answers exactly as a ticket that does not exist', async () => {
    const spec = (await t.admin.get('/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    const differs: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!path.includes('{number}') || path.startsWith('/api/v1/portal/')) continue;
      for (const method of Object.keys(ops).map((m) => m.toUpperCase() as 'GET')) {
        const call = (n: number) =>
          t.app.inject({ method, url: path.replace('{number}', String(n)), headers: { authorization: `Bearer ${restricted.token}` }, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
        for (const tk of [inH, noGroup]) {
          const [foreign, missing] = [await call(tk.number), await call(999_999)];
          checked += 1;
          const seen = (r: LightMyRequestResponse) => `${r.statusCode} ${r.statusCode >= 400 ? r.json().error.code : ''}`;
          if (seen(foreign) !== seen(missing)) differs.push(`${method} ${path} #${tk.number}: ${seen(foreign)} but ${seen(missing)} for no ticket`);
        }
      }
    }
    expect(differs).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('cannot download the attachment of a foreign ticket', async () => {
    const res = await restricted.get(foreignAttachmentUrl);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('hotel secrets');
    expect((await t.admin.get(foreignAttachmentUrl)).body).toBe('hotel secrets');
  });

  it("a foreign ticket's attachment or time entry answers exactly as an id that does not exist", async () => {
    const entry = await t.admin.post(`/api/v1/tickets/${inH.number}/time-entries`, { minutes: 15, note: 'hotel work' });
    expect(entry.statusCode).toBe(201);
    const missing = '00000000-0000-7000-8000-000000000000';
    const pairs: [string, string, (url: string) => Promise<LightMyRequestResponse>][] = [
      ['attachment', foreignAttachmentUrl, (url) => restricted.get(url)],
      ['time entry patch', `/api/v1/time-entries/${entry.json().id}`, (url) => restricted.patch(url, { minutes: 1 })],
      ['time entry delete', `/api/v1/time-entries/${entry.json().id}`, (url) => restricted.delete(url)],
    ];
    for (const [what, foreignUrl, call] of pairs) {
      const [foreign, none] = [await call(foreignUrl), await call(foreignUrl.replace(/[0-9a-f-]{36}/, missing))];
      expect(none.statusCode, what).toBe(404);
      expect(foreign.statusCode, what).toBe(404);
      expect(foreign.json(), what).toEqual(none.json());
    }
    expect((await t.admin.get(`/api/v1/tickets/${inH.number}/time-entries`)).json().totalMinutes).toBe(15);
  });

  it('never sees a foreign ticket in lists, filters, views, view counts, search or contact history', async () => {
    const visible = [inG.number, inG2.number, assignedToMe.number].sort((a, b) => a - b);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    expect(sorted(numbers(await restricted.get('/api/v1/tickets?limit=200')))).toEqual(visible);
    expect(numbers(await restricted.get('/api/v1/tickets?q=group:"Hotel Team"'))).toEqual([assignedToMe.number]);
    expect(numbers(await restricted.get('/api/v1/tickets?q=priority:urgent'))).toEqual([]);
    expect(numbers(await restricted.get('/api/v1/tickets?q=assignee:none'))).toEqual(sorted([inG.number, inG2.number]).reverse());
    expect(sorted(numbers(await restricted.get('/api/v1/tickets?view=all_open')))).toEqual(visible);
    expect(sorted(numbers(await restricted.get('/api/v1/tickets?view=unassigned')))).toEqual([inG.number, inG2.number].sort((a, b) => a - b));
    expect(sorted(numbers(await restricted.get('/api/v1/search?q=quasar')))).toEqual(visible);
    expect(sorted(numbers(await restricted.get('/api/v1/search?q=hotel')))).toEqual([]);
    expect(sorted(numbers(await restricted.get(`/api/v1/contacts/${requesterId}/tickets`)))).toEqual(visible);

    const views = (await restricted.get('/api/v1/views')).json().items as { id: string; count: number }[];
    const count = (id: string) => views.find((v) => v.id === id)!.count;
    expect(count('all_open')).toBe(3);
    expect(count('unassigned')).toBe(2);
    expect(count('my_groups')).toBe(2);
    expect(count('my_in_progress')).toBe(1);
    // The unrestricted admin sees all five, so the counts above are the scope at work.
    const adminViews = (await t.admin.get('/api/v1/views')).json().items as { id: string; count: number }[];
    expect(adminViews.find((v) => v.id === 'all_open')!.count).toBe(5);
  });

  it('writing on a ticket merged into a foreign ticket says it was merged, without naming the foreign ticket', async () => {
    // Made here, after the list checks above, so they do not see these tickets.
    const source = await createTicket(t.admin, { subject: 'merged away from gamma', groupId: groupG });
    const foreignTarget = await createTicket(t.admin, { subject: 'hotel target', groupId: groupH });
    expect((await t.admin.post(`/api/v1/tickets/${foreignTarget.number}/merge`, { sourceNumbers: [source.number] })).statusCode).toBe(200);
    const moved = (await t.admin.get(`/api/v1/tickets/${foreignTarget.number}/messages`)).json().items[0].id as string;
    const attempts: [string, Promise<LightMyRequestResponse>][] = [
      ['reply', restricted.post(`/api/v1/tickets/${source.number}/messages`, { kind: 'reply', body: 'too late' })],
      ['note', restricted.post(`/api/v1/tickets/${source.number}/messages`, { kind: 'note', body: 'too late' })],
      ['split', restricted.post(`/api/v1/tickets/${source.number}/split`, { messageIds: [moved] })],
      ['call', restricted.post('/api/v1/calls', { ticketNumber: source.number, number: '+15550109999', direction: 'outbound', durationSeconds: 10 })],
    ];
    for (const [what, pending] of attempts) {
      const res = await pending;
      expect([res.statusCode, res.json().error.code, res.json().error.details], what).toEqual([409, 'conflict', { number: source.number, mergedIntoNumber: null }]);
      expect(res.json().error.message, what).toMatch(new RegExp(`#${source.number} was merged`));
      expect(res.body, what).not.toContain(`#${foreignTarget.number}`);
    }
    // A target it may see is still named.
    const visibleSource = await createTicket(t.admin, { subject: 'merged within gamma', groupId: groupG });
    const visibleTarget = await createTicket(t.admin, { subject: 'gamma target', groupId: groupG });
    expect((await t.admin.post(`/api/v1/tickets/${visibleTarget.number}/merge`, { sourceNumbers: [visibleSource.number] })).statusCode).toBe(200);
    const res = await restricted.post(`/api/v1/tickets/${visibleSource.number}/messages`, { kind: 'note', body: 'too late' });
    expect([res.statusCode, res.json().error.details]).toEqual([409, { number: visibleSource.number, mergedIntoNumber: visibleTarget.number }]);
    expect(res.json().error.message).toContain(`merged into #${visibleTarget.number}`);
  });

  it('cannot lift its own restriction or change its groups', async () => {
    const res = await restricted.patch(`/api/v1/users/${restricted.userId}`, { restrictedToGroups: false });
    expect(res.statusCode).toBe(403);
    const groups = await restricted.patch(`/api/v1/users/${restricted.userId}`, { groupIds: [groupG, groupH] });
    expect(groups.statusCode).toBe(403);
    expect((await restricted.get(`/api/v1/tickets/${inH.number}`)).statusCode).toBe(404);
    // Changing one's own name is fine.
    expect((await restricted.patch(`/api/v1/users/${restricted.userId}`, { name: 'Rita R.' })).json()).toMatchObject({ name: 'Rita R.', restrictedToGroups: true, groupIds: [groupG] });
  });
});

describeEachDialect('authz: customers', (dialect) => {
  let t: TestApp;
  let customer: CookieClient;
  let own: Json & { number: number; id: string };
  let other: Json & { number: number; id: string };
  let ownContactId: string;
  let otherContactId: string;
  let noteAttachmentUrl: string;
  let replyAttachmentUrl: string;
  let noteId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    own = await createTicket(t.admin, { subject: 'My order is late', requester: { email: 'cora@customer.test', name: 'Cora Customer' } });
    other = await createTicket(t.admin, { subject: 'Someone else', requester: { email: 'olaf@customer.test', name: 'Olaf Other' } });
    ownContactId = (own.requester as { id: string }).id;
    otherContactId = (other.requester as { id: string }).id;
    const u = await t.user({ role: 'customer', name: 'Cora Customer', email: `cora-${dialect}@portal.test`, contactId: ownContactId });
    customer = await signIn(t, u.email);

    const noteFile = await upload(t, t.admin.token, 'internal.txt', 'internal only');
    const note = await t.admin.post(`/api/v1/tickets/${own.number}/messages`, { kind: 'note', body: 'Customer is difficult, careful', attachmentIds: [noteFile.id] });
    noteId = note.json().message.id;
    noteAttachmentUrl = noteFile.url;
    const replyFile = await upload(t, t.admin.token, 'invoice.txt', 'your invoice');
    await t.admin.post(`/api/v1/tickets/${own.number}/messages`, { kind: 'reply', body: 'Here is your invoice', attachmentIds: [replyFile.id] });
    replyAttachmentUrl = replyFile.url;
  });
  afterAll(() => t.close());

  it('sees its own ticket and its public messages, never internal notes', async () => {
    const tk = await customer.get(`/api/v1/tickets/${own.number}`);
    expect(tk.statusCode).toBe(200);
    expect(tk.json()).toMatchObject({ number: own.number, subject: 'My order is late' });
    const msgs = (await customer.get(`/api/v1/tickets/${own.number}/messages`)).json().items as { kind: string; bodyText: string; id: string }[];
    expect(msgs.map((m) => m.kind)).toEqual(['customer', 'reply']);
    expect(msgs.map((m) => m.bodyText)).toEqual(['The printer in room 4 is on fire. Please help.', 'Here is your invoice']);
    expect(JSON.stringify(msgs)).not.toContain('difficult');
    expect(msgs.map((m) => m.id)).not.toContain(noteId);
    // Staff see all three.
    expect((await t.admin.get(`/api/v1/tickets/${own.number}/messages`)).json().items).toHaveLength(3);
  });

  it("downloads a reply's attachment but gets 404 for a note's attachment", async () => {
    const ok = await customer.get(replyAttachmentUrl);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('your invoice');
    const hidden = await customer.get(noteAttachmentUrl);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).not.toContain('internal only');
  });

  it("the ticket history shown to a customer does not reveal internal notes", async () => {
    const res = await customer.get(`/api/v1/tickets/${own.number}/events`);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).not.toContain(noteId);
    expect(body).not.toContain('"note"');
  });

  it("gets 404 for another customer's ticket, its messages, events and contact", async () => {
    for (const url of [`/api/v1/tickets/${other.number}`, `/api/v1/tickets/${other.number}/messages`, `/api/v1/tickets/${other.number}/events`, `/api/v1/contacts/${otherContactId}`]) {
      const res = await customer.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('Someone else');
    }
    const reply = await customer.post(`/api/v1/tickets/${other.number}/messages`, { body: 'let me in' });
    expect(reply.statusCode).toBe(404);
    expect((await customer.get(`/api/v1/contacts/${otherContactId}/tickets`)).statusCode).toBe(404);
    expect(numbers(await customer.get(`/api/v1/contacts/${ownContactId}/tickets`))).toEqual([own.number]);
    expect((await t.admin.get(`/api/v1/tickets/${other.number}`)).json().messageCount).toBe(1);
  });

  it("another customer's attachment answers exactly as an attachment that does not exist", async () => {
    const file = await upload(t, t.admin.token, 'olaf.txt', 'olaf only');
    expect((await t.admin.post(`/api/v1/tickets/${other.number}/messages`, { kind: 'reply', body: 'for Olaf', attachmentIds: [file.id] })).statusCode).toBe(201);
    const foreign = await customer.get(file.url);
    const none = await customer.get(file.url.replace(file.id, '00000000-0000-7000-8000-000000000000'));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('olaf only');
    expect(foreign.json()).toEqual(none.json());
  });

  it('cannot change ticket properties, write notes, merge, split or bulk-update (403)', async () => {
    const attempts: [string, Promise<LightMyRequestResponse>][] = [
      ['patch priority', customer.patch(`/api/v1/tickets/${own.number}`, { priority: 'urgent' })],
      ['patch assignee', customer.patch(`/api/v1/tickets/${own.number}`, { assigneeId: null })],
      ['patch tags', customer.patch(`/api/v1/tickets/${own.number}`, { addTags: ['vip'] })],
      ['note', customer.post(`/api/v1/tickets/${own.number}/messages`, { kind: 'note', body: 'sneaky' })],
      ['merge', customer.post(`/api/v1/tickets/${own.number}/merge`, { sourceNumbers: [other.number] })],
      ['split', customer.post(`/api/v1/tickets/${own.number}/split`, { messageIds: [noteId] })],
      ['bulk', customer.post('/api/v1/tickets/bulk', { numbers: [own.number], changes: { priority: 'urgent' } })],
    ];
    for (const [what, pending] of attempts) {
      const res = await pending;
      expect(res.statusCode, `${what}: ${res.body}`).toBe(403);
      expect(res.json().error.code, what).toBe('forbidden');
    }
    const after = (await t.admin.get(`/api/v1/tickets/${own.number}`)).json();
    expect(after).toMatchObject({ priority: 'medium', tags: [], messageCount: 3 });
  });

  it('a customer reply on its own ticket is recorded as a customer message', async () => {
    const res = await customer.post(`/api/v1/tickets/${own.number}/messages`, { kind: 'reply', body: 'Any news?' });
    expect(res.statusCode).toBe(201);
    expect(res.json().message).toMatchObject({ kind: 'customer', author: { type: 'contact', id: ownContactId } });
  });

  it('cannot list tickets, users, groups, views, contacts or custom fields, nor create API tokens', async () => {
    for (const url of ['/api/v1/tickets', '/api/v1/search?q=order', '/api/v1/users', '/api/v1/groups', '/api/v1/views', '/api/v1/contacts', '/api/v1/custom-fields', '/api/v1/organizations', '/api/v1/audit-log']) {
      const res = await customer.get(url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(403);
    }
    const token = await customer.post('/api/v1/tokens', { name: 'mine', scopes: ['read'] });
    expect(token.statusCode).toBe(403);
    expect(token.json().error.code).toBe('forbidden');
    const view = await customer.post('/api/v1/views', { name: 'all', query: 'status:open' });
    expect(view.statusCode).toBe(403);
  });
});

describeEachDialect('authz: agents, supervisors, admins and token scopes', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let supervisor: ApiClient;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Andy Agent' });
    supervisor = await t.user({ role: 'supervisor', name: 'Sue Supervisor' });
    orgId = (await t.admin.post('/api/v1/organizations', { name: 'Keep Me Inc' })).json().id;
  });
  afterAll(() => t.close());

  it('agents cannot create users or groups, define custom fields, read the audit log or delete organizations', async () => {
    const attempts: [string, Promise<LightMyRequestResponse>][] = [
      ['user', agent.post('/api/v1/users', { email: `x-${dialect}@tessera.test`, name: 'X' })],
      ['group', agent.post('/api/v1/groups', { name: 'Agents Only' })],
      ['custom field', agent.post('/api/v1/custom-fields', { key: 'sneaky', label: 'Sneaky', type: 'text' })],
      ['audit', agent.get('/api/v1/audit-log')],
      ['delete org', agent.delete(`/api/v1/organizations/${orgId}`)],
      ['settings', agent.patch('/api/v1/settings', { helpdeskName: 'Mine' })],
      ['import', agent.post('/api/v1/import/tickets', { tickets: [{ subject: 'Old', requester: { email: 'old@customer.test' }, createdAt: '2020-01-01T00:00:00Z', messages: [{ kind: 'customer', body: 'old', createdAt: '2020-01-01T00:00:00Z' }] }] })],
    ];
    for (const [what, pending] of attempts) {
      const res = await pending;
      expect(res.statusCode, `${what}: ${res.body}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    expect((await t.admin.get('/api/v1/groups')).json().items.map((g: { name: string }) => g.name)).not.toContain('Agents Only');
    expect((await t.admin.get('/api/v1/custom-fields')).json().items).toEqual([]);
    expect((await t.admin.get(`/api/v1/organizations/${orgId}`)).statusCode).toBe(200);
  });

  it('the same admin-only actions fail for an agent signed in with a cookie (no token scopes to rely on)', async () => {
    const session = await signIn(t, agent.email);
    expect((await session.post('/api/v1/users', { email: `y-${dialect}@tessera.test`, name: 'Y' })).statusCode).toBe(403);
    expect((await session.post('/api/v1/custom-fields', { key: 'sneaky', label: 'Sneaky', type: 'text' })).statusCode).toBe(403);
    expect((await session.get('/api/v1/audit-log')).statusCode).toBe(403);
    expect((await session.delete(`/api/v1/organizations/${orgId}`)).statusCode).toBe(403);
    expect((await session.patch(`/api/v1/users/${agent.userId}`, { role: 'admin' })).statusCode).toBe(403);
    expect((await t.admin.get(`/api/v1/users/${agent.userId}`)).json().role).toBe('agent');
  });

  it('agents cannot promote themselves or edit other users', async () => {
    expect((await agent.patch(`/api/v1/users/${agent.userId}`, { role: 'admin' })).statusCode).toBe(403);
    expect((await agent.patch(`/api/v1/users/${supervisor.userId}`, { name: 'Renamed' })).statusCode).toBe(403);
    expect((await agent.patch(`/api/v1/users/${supervisor.userId}`, { active: false })).statusCode).toBe(403);
    expect((await t.admin.get(`/api/v1/users/${supervisor.userId}`)).json()).toMatchObject({ name: 'Sue Supervisor', active: true, role: 'supervisor' });
    expect((await t.admin.get(`/api/v1/users/${agent.userId}`)).json().role).toBe('agent');
  });

  it('supervisors share views; agents cannot share a view, nor change or delete a shared one', async () => {
    const denied = await agent.post('/api/v1/views', { name: 'Agent shared', query: 'status:open', shared: true });
    expect(denied.statusCode).toBe(403);
    const shared = await supervisor.post('/api/v1/views', { name: 'Team urgent', query: 'priority:urgent', shared: true });
    expect(shared.statusCode).toBe(201);
    expect(shared.json()).toMatchObject({ shared: true, ownerId: supervisor.userId });
    const id = shared.json().id as string;
    const agentViews = (await agent.get('/api/v1/views')).json().items as { id: string; name: string }[];
    expect(agentViews.map((v) => v.name)).toContain('Team urgent');
    expect(agentViews.map((v) => v.name)).not.toContain('Agent shared');
    expect((await agent.patch(`/api/v1/views/${id}`, { query: 'status:open' })).statusCode).toBe(403);
    expect((await agent.delete(`/api/v1/views/${id}`)).statusCode).toBe(403);
    const personal = await agent.post('/api/v1/views', { name: 'Mine', query: 'status:open' });
    expect(personal.statusCode).toBe(201);
    expect((await agent.patch(`/api/v1/views/${personal.json().id}`, { shared: true })).statusCode).toBe(403);
    const again = (await supervisor.get('/api/v1/views')).json().items as { id: string; query: string; name: string }[];
    expect(again.find((v) => v.id === id)!.query).toBe('priority:urgent');
    expect(again.map((v) => v.name)).not.toContain('Mine');
  });

  it('admin-only routes need the admin scope: an admin token without it gets 403', async () => {
    const created = await t.admin.post('/api/v1/tokens', { name: 'no admin', scopes: ['read', 'write'] });
    expect(created.json().scopes).toEqual(['read', 'write']);
    const headers = { authorization: `Bearer ${created.json().token}` };
    const inject = (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    const attempts: [string, LightMyRequestResponse][] = [
      ['user', await inject('POST', '/api/v1/users', { email: `z-${dialect}@tessera.test`, name: 'Z' })],
      ['group', await inject('POST', '/api/v1/groups', { name: 'Scoped' })],
      ['custom field', await inject('POST', '/api/v1/custom-fields', { key: 'scoped', label: 'Scoped', type: 'text' })],
      ['audit', await inject('GET', '/api/v1/audit-log')],
      ['delete org', await inject('DELETE', `/api/v1/organizations/${orgId}`)],
      ['settings', await inject('PATCH', '/api/v1/settings', { helpdeskName: 'Scoped' })],
      // Routes that are not marked admin-only up front: the services' own admin checks see the token's scopes too.
      ['promote a user', await inject('PATCH', `/api/v1/users/${agent.userId}`, { role: 'admin', password: 'chosen-by-the-token-1' })],
      ['routing rule', await inject('POST', '/api/v1/automations/rules', { name: 'Scoped rule', kind: 'trigger', events: ['ticket.created'], conditions: { filter: 'priority:urgent' }, actions: [{ type: 'set_priority', priority: 'high' }] })],
      ['sweep', await inject('POST', '/api/v1/automations/sweep')],
      ['shared canned response', await inject('POST', '/api/v1/canned-responses', { title: 'Scoped', body: 'Hi', scope: 'shared' })],
      ['digest', await inject('PATCH', '/api/v1/reports/digest', { hour: 6 })],
      ['rollups', await inject('POST', '/api/v1/reports/rollups/rebuild')],
      ['admin token', await inject('POST', '/api/v1/tokens', { name: 'escalate', scopes: ['read', 'write', 'admin'] })],
    ];
    for (const [what, res] of attempts) {
      expect(res.statusCode, `${what}: ${res.body}`).toBe(403);
      expect(res.json().error.message, what).toMatch(/admin/);
    }
    expect((await t.admin.get(`/api/v1/users/${agent.userId}`)).json().role).toBe('agent');
    // Ordinary reads and writes still work with that token.
    expect((await inject('GET', '/api/v1/tickets')).statusCode).toBe(200);
    expect((await inject('POST', '/api/v1/contacts', { name: 'Scoped Contact' })).statusCode).toBe(201);
    // The full admin token does the same fine.
    expect((await t.admin.post('/api/v1/groups', { name: 'Scoped' })).statusCode).toBe(201);
  });

  it('a non-admin asking for the admin scope is refused, and no token is made', async () => {
    const before = (await supervisor.get('/api/v1/tokens')).json().items.length;
    for (const scopes of [['read', 'write', 'admin'], ['admin']]) {
      const res = await supervisor.post('/api/v1/tokens', { name: 'try admin', scopes });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/admin/);
    }
    expect((await supervisor.get('/api/v1/tokens')).json().items).toHaveLength(before);
    const past = await supervisor.post('/api/v1/tokens', { name: 'expired', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.details.fields[0].path).toBe('expiresAt');
  });

  it('a read-only token cannot write', async () => {
    const created = await agent.post('/api/v1/tokens', { name: 'ro', scopes: ['read'] });
    const headers = { authorization: `Bearer ${created.json().token}` };
    const tk = await createTicket(t.admin);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${tk.number}`, headers })).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${tk.number}`, headers, payload: { priority: 'urgent' } });
    expect(res.statusCode).toBe(403);
    expect((await t.admin.get(`/api/v1/tickets/${tk.number}`)).json().priority).toBe('medium');
  });

  it('unsafe cookie requests without (or with a wrong) X-CSRF-Token are refused with csrf_failed', async () => {
    const session = await signIn(t, agent.email);
    const tk = await createTicket(t.admin);
    expect((await session.get(`/api/v1/tickets/${tk.number}`)).statusCode).toBe(200);
    const cases: [string, Promise<LightMyRequestResponse>][] = [
      ['patch without', session.patch(`/api/v1/tickets/${tk.number}`, { priority: 'urgent' }, { csrf: null })],
      ['patch wrong', session.patch(`/api/v1/tickets/${tk.number}`, { priority: 'urgent' }, { csrf: 'x'.repeat(session.csrf.length) })],
      ['reply without', session.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'forged' }, { csrf: null })],
      ['token without', session.post('/api/v1/tokens', { name: 'forged' }, { csrf: null })],
      ['contact without', session.post('/api/v1/contacts', { name: 'Forged' }, { csrf: null })],
    ];
    for (const [what, pending] of cases) {
      const res = await pending;
      expect(res.statusCode, what).toBe(403);
      expect(res.json().error.code, what).toBe('csrf_failed');
    }
    const after = (await t.admin.get(`/api/v1/tickets/${tk.number}`)).json();
    expect(after).toMatchObject({ priority: 'medium', messageCount: 1 });
    expect((await session.get('/api/v1/tokens')).json().items.map((i: { name: string }) => i.name)).not.toContain('forged');
    expect((await t.admin.get('/api/v1/contacts?q=Forged')).json().items).toEqual([]);
    const ok = await session.patch(`/api/v1/tickets/${tk.number}`, { priority: 'urgent' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().priority).toBe('urgent');
  });
});
