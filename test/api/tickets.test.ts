import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

describeEachDialect('tickets API', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Alice Agent', email: `alice-${dialect}@tessera.test` });
  });
  afterAll(() => t.close());

  it('creates a ticket with a number, default priority, its requester contact and first message', async () => {
    const a = await createTicket(t.admin, { requester: { email: 'New.Person@Example.test', name: 'New Person' } });
    const b = await createTicket(t.admin);
    expect(b.number).toBe(a.number + 1);
    expect(a).toMatchObject({ status: 'open', priority: 'medium', type: 'question', channel: 'api', messageCount: 1, starred: false });
    expect(a.requester).toMatchObject({ name: 'New Person', email: 'new.person@example.test' });
    const contacts = await t.admin.get('/api/v1/contacts?q=new.person');
    expect(contacts.json().items).toHaveLength(1);
    const messages = await t.admin.get(`/api/v1/tickets/${a.number}/messages`);
    expect(messages.json().items[0]).toMatchObject({ kind: 'customer', bodyText: 'The printer in room 4 is on fire. Please help.', author: { type: 'contact', name: 'New Person' } });
    const history = await t.admin.get(`/api/v1/contacts/${(a.requester as { id: string }).id}/tickets`);
    expect(history.json().items.map((x: { number: number }) => x.number)).toEqual([a.number]);
    // A known requester is named as stored, whatever the request said.
    const again = await createTicket(t.admin, { requester: { email: 'new.person@example.test', name: 'Someone Else' } });
    expect(again.requester).toEqual(a.requester);
  });

  it('assigning an open ticket moves it to in_progress and is recorded as events', async () => {
    const tk = await createTicket(t.admin);
    t.clock.advance(60_000);
    const res = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: agent.userId, priority: 'urgent', addTags: ['VIP', 'printer'] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'in_progress', priority: 'urgent', tags: ['printer', 'vip'], assignee: { id: agent.userId, name: 'Alice Agent' } });
    const events = (await t.admin.get(`/api/v1/tickets/${tk.number}/events`)).json().items;
    const actions = events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['created', 'message_added', 'assigned', 'status_changed', 'priority_changed', 'tags_changed']));
    const status = events.find((e: { action: string }) => e.action === 'status_changed');
    expect(status).toMatchObject({ from: 'open', to: 'in_progress', actor: { type: 'user' } });
    const only = (await t.admin.get(`/api/v1/tickets/${tk.number}/events?action=priority_changed`)).json().items;
    expect(only).toHaveLength(1);
    expect(only[0]).toMatchObject({ from: 'medium', to: 'urgent' });
    const two = (await t.admin.get(`/api/v1/tickets/${tk.number}/events?action=${encodeURIComponent(' assigned, tags_changed,assigned')}`)).json().items;
    expect(two.map((e: { action: string }) => e.action).sort()).toEqual(['assigned', 'tags_changed']);
    // A misspelt action is an error that says so, not an empty history.
    const typo = await t.admin.get(`/api/v1/tickets/${tk.number}/events?action=priority_changed,asigned`);
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'querystring.action' }] } });
    expect(typo.json().error.message).toContain('unknown action asigned; expected one of created, status_changed');
    const later = (await t.admin.get(`/api/v1/tickets/${tk.number}/events?from=${encodeURIComponent(t.clock.now().toISOString())}`)).json().items;
    expect(later.every((e: { action: string }) => e.action !== 'created')).toBe(true);
  });

  it('refuses a group that does not exist, on create and on change, and keeps the ticket as it was', async () => {
    const nowhere = '01900000-0000-7000-8000-000000000000';
    const before = Number((await t.admin.get('/api/v1/tickets?limit=1')).json().items[0]?.number ?? 0);
    const create = await t.admin.post('/api/v1/tickets', { subject: 'Lost', requester: { email: 'lost@example.test' }, message: { body: 'Where?' }, groupId: nowhere });
    expect(create.statusCode).toBe(400);
    expect(create.json().error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'groupId', message: 'unknown group' }] } });
    expect(Number((await t.admin.get('/api/v1/tickets?limit=1')).json().items[0]?.number ?? 0)).toBe(before);
    const tk = await createTicket(t.admin);
    const patch = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { groupId: nowhere, priority: 'urgent' });
    expect(patch.statusCode).toBe(400);
    expect((await t.admin.get(`/api/v1/tickets/${tk.number}`)).json()).toMatchObject({ groupId: null, priority: tk.priority });
  });

  it('enforces status transitions with a clear 409', async () => {
    const tk = await createTicket(t.admin);
    expect((await t.admin.patch(`/api/v1/tickets/${tk.number}`, { status: 'closed' })).statusCode).toBe(200);
    const res = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { status: 'open' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'invalid_transition', details: { from: 'closed', to: 'open', allowed: [] } });
  });

  it('a reply sets first response, "send and resolve" resolves, a customer reply reopens and counts', async () => {
    const tk = await createTicket(t.admin);
    t.clock.advance(5 * 60_000);
    const reply = await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'We are on it.', setStatus: 'resolved' });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().ticket).toMatchObject({ status: 'resolved', firstResponseAt: t.clock.now().toISOString(), messageCount: 2 });
    expect(reply.json().ticket.resolvedAt).not.toBeNull();
    const customerCtx = t.systemCtx();
    const { postMessage } = await import('../../server/modules/messages/index.js');
    const { getContactsByIds } = await import('../../server/modules/contacts/index.js');
    const [contact] = await getContactsByIds(customerCtx, [(tk.requester as { id: string }).id]);
    await postMessage({ ...customerCtx, actor: { type: 'customer', id: 'c', name: 'Carol', email: contact!.emails[0]!, contactId: contact!.id, organizationId: null, seeOrganization: false } }, tk.number, {
      kind: 'customer',
      body: 'Still broken!',
      format: 'text',
      attachmentIds: [],
    });
    const after = (await t.admin.get(`/api/v1/tickets/${tk.number}`)).json();
    expect(after).toMatchObject({ status: 'open', reopenCount: 1, resolvedAt: null, messageCount: 3 });
  });

  it('posting a message takes only the kinds its OpenAPI lists: reply and note', async () => {
    const tk = await createTicket(t.admin);
    const spec = (await t.admin.get('/api/v1/openapi.json')).json();
    const body = spec.paths['/api/v1/tickets/{number}/messages'].post.requestBody.content['application/json'].schema;
    expect(body.properties.kind.enum).toEqual(['reply', 'note']);
    const customer = await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'customer', body: 'Pretending to be Carol' });
    expect(customer.statusCode).toBe(400);
    expect(customer.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body.kind']);
  });

  it('keeps internal notes apart, parses @mentions, and sanitises HTML', async () => {
    const tk = await createTicket(t.admin);
    const note = await t.admin.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'note', body: `Ping @alice-${dialect} please <b>look</b>` });
    expect(note.statusCode).toBe(201);
    expect(note.json().message).toMatchObject({ kind: 'note', mentions: [agent.userId] });
    const html = await t.admin.post(`/api/v1/tickets/${tk.number}/messages`, {
      kind: 'reply',
      format: 'html',
      body: '<p onclick="x()">Hi <script>alert(1)</script><img src="https://tracker.test/p.gif"><a href="javascript:evil()">x</a></p>',
    });
    const body = html.json().message.bodyHtml as string;
    expect(body).not.toMatch(/script|onclick|javascript:/);
    expect(body).toContain('data-src="https://tracker.test/p.gif"');
    expect(body).not.toMatch(/ src="https/);
  });

  it('uploads an attachment, serves it as a download, and enforces the size limit', async () => {
    const boundary = '----tessera';
    const payload = (name: string, content: Buffer) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/html\r\n\r\n`),
        content,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
    const up = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${agent.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: payload('page.html', Buffer.from('<script>alert(1)</script>')) });
    expect(up.statusCode).toBe(201);
    const tk = await createTicket(t.admin);
    const msg = await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'See attached', attachmentIds: [up.json().id] });
    expect(msg.json().message.attachments).toHaveLength(1);
    const dl = await agent.get(up.json().url);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.body).toBe('<script>alert(1)</script>');
    const reuse = await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'again', attachmentIds: [up.json().id] });
    expect(reuse.statusCode).toBe(400);
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${agent.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: payload('big.bin', Buffer.alloc(1024 * 1024 + 10, 1)) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
  });

  it('merges B into A and splits messages out again', async () => {
    const a = await createTicket(t.admin, { subject: 'Merge target', tags: ['billing'] });
    const b = await createTicket(t.admin, { subject: 'Duplicate', message: { body: 'Same problem again' }, tags: ['billing', 'refund'] });
    const merged = await t.admin.post(`/api/v1/tickets/${a.number}/merge`, { sourceNumbers: [b.number] });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ messageCount: 2, tags: ['billing', 'refund'] });
    // The tags it took in are a change in the target's history, as any other tag change.
    const tagEvents = (await t.admin.get(`/api/v1/tickets/${a.number}/events?action=tags_changed`)).json().items;
    expect(tagEvents).toMatchObject([{ from: ['billing'], to: ['billing', 'refund'], data: { reason: 'merged', fromNumber: b.number } }]);
    const bAfter = (await t.admin.get(`/api/v1/tickets/${b.number}`)).json();
    expect(bAfter).toMatchObject({ status: 'closed', mergedIntoNumber: a.number });
    const msgs = (await t.admin.get(`/api/v1/tickets/${a.number}/messages`)).json().items;
    expect(msgs.map((m: { bodyText: string }) => m.bodyText)).toContain('Same problem again');
    expect(msgs.find((m: { bodyText: string }) => m.bodyText === 'Same problem again').mergedFromNumber).toBe(b.number);
    const bEvents = (await t.admin.get(`/api/v1/tickets/${b.number}/events?action=merged_into`)).json().items;
    expect(bEvents[0].to).toMatchObject({ number: a.number });
    expect((await t.admin.post(`/api/v1/tickets/${a.number}/merge`, { sourceNumbers: [b.number] })).statusCode).toBe(409);
    // The state of the target conflicts too: a merged or closed ticket takes nothing in.
    const c = await createTicket(t.admin, { subject: 'Third' });
    const intoMerged = await t.admin.post(`/api/v1/tickets/${b.number}/merge`, { sourceNumbers: [c.number] });
    expect([intoMerged.statusCode, intoMerged.json().error.code, intoMerged.json().error.message]).toEqual([409, 'conflict', `Ticket #${b.number} was itself merged; merge into the ticket it points to`]);
    await t.admin.patch(`/api/v1/tickets/${c.number}`, { status: 'closed' });
    const intoClosed = await t.admin.post(`/api/v1/tickets/${c.number}/merge`, { sourceNumbers: [a.number] });
    expect([intoClosed.statusCode, intoClosed.json().error.code]).toEqual([409, 'ticket_closed']);
    expect((await t.admin.get(`/api/v1/tickets/${a.number}`)).json().mergedIntoNumber).toBeNull();
    // Unknown sources are named, all of them, and nothing is merged.
    const d = await createTicket(t.admin, { subject: 'Would be merged' });
    const unknown = await t.admin.post(`/api/v1/tickets/${a.number}/merge`, { sourceNumbers: [999_998, d.number, 999_999] });
    expect([unknown.statusCode, unknown.json().error.details]).toEqual([404, { numbers: [999_998, 999_999] }]);
    expect(unknown.json().error.message).toContain('#999998, #999999');
    expect((await t.admin.get(`/api/v1/tickets/${d.number}`)).json()).toMatchObject({ mergedIntoNumber: null, status: 'open' });

    const moved = msgs.find((m: { bodyText: string }) => m.bodyText === 'Same problem again').id;
    const split = await t.admin.post(`/api/v1/tickets/${a.number}/split`, { messageIds: [moved], subject: 'Split off' });
    expect(split.statusCode).toBe(201);
    expect(split.json().created).toMatchObject({ subject: 'Split off', splitFromNumber: a.number, messageCount: 1 });
    expect(split.json().original.messageCount).toBe(1);
    const all = await t.admin.post(`/api/v1/tickets/${a.number}/split`, { messageIds: [msgs[0].id] });
    expect(all.statusCode).toBe(400);
  });

  it('bulk-updates in one transaction: all or nothing', async () => {
    const x = await createTicket(t.admin);
    const y = await createTicket(t.admin);
    const ok = await t.admin.post('/api/v1/tickets/bulk', { numbers: [x.number, y.number], changes: { priority: 'high', addTags: ['bulk'] } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().updated.sort()).toEqual([x.number, y.number].sort());
    await t.admin.patch(`/api/v1/tickets/${y.number}`, { status: 'closed' });
    const bad = await t.admin.post('/api/v1/tickets/bulk', { numbers: [x.number, y.number], changes: { status: 'open', priority: 'low' } });
    expect(bad.statusCode).toBe(409);
    expect((await t.admin.get(`/api/v1/tickets/${x.number}`)).json().priority).toBe('high');
    const missing = await t.admin.post('/api/v1/tickets/bulk', { numbers: [x.number, 999999], changes: { priority: 'low' } });
    expect(missing.statusCode).toBe(404);
  });

  it('keeps a ticket within 50 tags however they come, and refuses a tag both added and removed', async () => {
    const tags = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const full = await createTicket(t.admin, { tags: tags('a', 50) });
    const other = await createTicket(t.admin, { tags: ['x'] });
    const added = await t.admin.patch(`/api/v1/tickets/${full.number}`, { addTags: ['one-more'] });
    expect([added.statusCode, added.json().error.details.fields[0].path]).toEqual([400, 'body.addTags']);
    const bulk = await t.admin.post('/api/v1/tickets/bulk', { numbers: [other.number, full.number], changes: { addTags: ['one-more'] } });
    expect([bulk.statusCode, bulk.json().error.message]).toEqual([400, `body.changes.addTags: a ticket carries at most 50 tags; this would give #${full.number} 51`]);
    expect((await t.admin.get(`/api/v1/tickets/${other.number}`)).json().tags).toEqual(['x']);
    // Swapping one for another stays within the limit.
    const swapped = await t.admin.patch(`/api/v1/tickets/${full.number}`, { addTags: ['b'], removeTags: ['a0'] });
    expect(swapped.json().tags).toHaveLength(50);
    const both = await t.admin.patch(`/api/v1/tickets/${other.number}`, { addTags: ['y'], removeTags: ['y'] });
    expect([both.statusCode, both.json().error.details.fields[0].path]).toEqual([400, 'body.removeTags']);
  });

  it('bulk-updates tickets named by id as well as by number', async () => {
    const x = await createTicket(t.admin);
    const y = await createTicket(t.admin);
    const z = await createTicket(t.admin);
    const byId = await t.admin.post('/api/v1/tickets/bulk', { ids: [x.id, y.id], numbers: [z.number], changes: { priority: 'urgent' } });
    expect(byId.statusCode).toBe(200);
    expect(byId.json().updated.sort()).toEqual([x.number, y.number, z.number].sort());
    for (const n of [x.number, y.number, z.number]) expect((await t.admin.get(`/api/v1/tickets/${n}`)).json().priority).toBe('urgent');

    const unknown = '01890000-0000-7000-8000-000000000000';
    const missing = await t.admin.post('/api/v1/tickets/bulk', { ids: [x.id, unknown], changes: { priority: 'low' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'not_found', details: { ids: [unknown], numbers: [] } });
    expect((await t.admin.get(`/api/v1/tickets/${x.number}`)).json().priority).toBe('urgent');

    const none = await t.admin.post('/api/v1/tickets/bulk', { changes: { priority: 'low' } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details.fields[0].path).toBe('body.numbers');
    const badId = await t.admin.post('/api/v1/tickets/bulk', { ids: ['nope'], changes: { priority: 'low' } });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.details.fields[0].path).toBe('body.ids.0');
  });

  it('stars per agent and hides spam from normal lists', async () => {
    const tk = await createTicket(t.admin, { subject: 'Buy cheap watches' });
    await agent.patch(`/api/v1/tickets/${tk.number}`, { starred: true });
    expect((await agent.get(`/api/v1/tickets/${tk.number}`)).json().starred).toBe(true);
    expect((await t.admin.get(`/api/v1/tickets/${tk.number}`)).json().starred).toBe(false);
    const starred = (await agent.get('/api/v1/tickets?view=starred')).json().items.map((i: { number: number }) => i.number);
    expect(starred).toEqual([tk.number]);
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { spam: true });
    const open = (await t.admin.get('/api/v1/tickets?view=all_open&limit=200')).json().items.map((i: { number: number }) => i.number);
    expect(open).not.toContain(tk.number);
    const spam = (await t.admin.get('/api/v1/tickets?view=spam')).json().items.map((i: { number: number }) => i.number);
    expect(spam).toContain(tk.number);
  });

  it('rejects unknown fields and bad values naming the field, and loses nothing', async () => {
    const before = (await t.admin.get('/api/v1/tickets?limit=200')).json().items.length;
    const res = await t.admin.post('/api/v1/tickets', { subject: '', requester: { email: 'nope' }, message: { body: 'x' }, priority: 'mega', colour: 1 });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['body.subject', 'body.requester.email', 'body.priority', 'body.colour']));
    expect((await t.admin.get('/api/v1/tickets?limit=200')).json().items.length).toBe(before);
    expect((await t.admin.get('/api/v1/tickets/abc')).statusCode).toBe(400);
    expect((await t.admin.get('/api/v1/tickets/99999')).statusCode).toBe(404);
  });
});

describeEachDialect('spam folder', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('admins restore or delete spam; only spam can be deleted; agents cannot delete', async () => {
    const agent = await t.user({ role: 'agent' });
    const keep = await createTicket(t.admin, { subject: 'Real question' });
    const junk = await createTicket(t.admin, { subject: 'Cheap pills zzyzx' });
    expect((await t.admin.delete(`/api/v1/tickets/${keep.number}`)).statusCode).toBe(400);
    await agent.patch(`/api/v1/tickets/${junk.number}`, { spam: true });
    expect((await agent.delete(`/api/v1/tickets/${junk.number}`)).statusCode).toBe(403);
    await t.admin.patch(`/api/v1/tickets/${keep.number}`, { spam: true });
    expect((await t.admin.patch(`/api/v1/tickets/${keep.number}`, { spam: false })).json().spam).toBe(false);
    expect((await t.admin.delete(`/api/v1/tickets/${junk.number}`)).statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/tickets/${junk.number}`)).statusCode).toBe(404);
    expect((await t.admin.get('/api/v1/search?q=zzyzx')).json().items).toEqual([]);
    const audit = (await t.admin.get('/api/v1/audit-log?action=ticket.deleted')).json().items;
    expect(audit[0].data).toMatchObject({ number: junk.number, reason: 'spam' });
    expect((await t.admin.get('/api/v1/tickets?view=all_open')).json().items.map((i: { number: number }) => i.number)).toContain(keep.number);
  });

  it('does not delete a spam ticket that holds the conversation of a ticket merged into it', async () => {
    const holder = await createTicket(t.admin, { subject: 'Merged into later marked spam' });
    const source = await createTicket(t.admin, { subject: 'Real customer', message: { body: 'My genuine question' } });
    expect((await t.admin.post(`/api/v1/tickets/${holder.number}/merge`, { sourceNumbers: [source.number] })).statusCode).toBe(200);
    await t.admin.patch(`/api/v1/tickets/${holder.number}`, { spam: true });
    const refused = await t.admin.delete(`/api/v1/tickets/${holder.number}`);
    expect([refused.statusCode, refused.json().error.code, refused.json().error.details]).toEqual([409, 'conflict', { mergedFrom: [source.number] }]);
    const messages = (await t.admin.get(`/api/v1/tickets/${holder.number}/messages`)).json().items.map((m: { bodyText: string }) => m.bodyText);
    expect(messages).toContain('My genuine question');
  });
});

describeEachDialect('search follows contact changes', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('finds a ticket by the requester name after the contact is renamed', async () => {
    const tk = await createTicket(t.admin, { requester: { email: 'rename.me@customer.test', name: 'Old Name' } });
    expect((await t.admin.get('/api/v1/search?q=Quixotic')).json().items).toEqual([]);
    const res = await t.admin.patch(`/api/v1/contacts/${(tk.requester as { id: string }).id}`, { name: 'Quixotic Person' });
    expect(res.statusCode).toBe(200);
    await t.deps.events.idle();
    const found = (await t.admin.get('/api/v1/search?q=Quixotic')).json().items.map((i: { number: number }) => i.number);
    expect(found).toEqual([tk.number]);
  });
});

describeEachDialect('merge and split keep each ticket true to the messages it holds', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Mona Merger' });
  });
  afterAll(() => t.close());

  const at = () => t.clock.now().toISOString();
  const facts = async (number: number) => {
    const tk = (await agent.get(`/api/v1/tickets/${number}`)).json();
    return { messageCount: tk.messageCount, lastMessageAt: tk.lastMessageAt, firstResponseAt: tk.firstResponseAt };
  };
  const post = async (number: number, kind: 'reply' | 'note', body: string) => {
    const res = await agent.post(`/api/v1/tickets/${number}/messages`, { kind, body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().message.id as string;
  };

  it('a merge gives the target the earliest first response and the latest message; the source keeps none', async () => {
    const a = await createTicket(t.admin, { subject: 'Router down' });
    t.clock.advance(60_000);
    const b = await createTicket(t.admin, { subject: 'Router still down' });
    t.clock.advance(60_000);
    await post(b.number, 'reply', 'Restart it, please.');
    const bReplyAt = at();
    t.clock.advance(60_000);
    await post(a.number, 'reply', 'Looking into it.');
    t.clock.advance(60_000);
    await post(b.number, 'note', 'Customer called too.');
    const bNoteAt = at();
    t.clock.advance(60_000);
    const merged = await agent.post(`/api/v1/tickets/${a.number}/merge`, { sourceNumbers: [b.number] });
    expect(merged.statusCode, merged.body).toBe(200);
    const target = { messageCount: 5, lastMessageAt: bNoteAt, firstResponseAt: bReplyAt };
    expect(merged.json()).toMatchObject(target);
    expect(await facts(a.number)).toEqual(target);
    expect(await facts(b.number)).toEqual({ messageCount: 0, lastMessageAt: null, firstResponseAt: null });
  });

  it('a split moves first response and last message with the messages that set them', async () => {
    const c = await createTicket(t.admin, { subject: 'Invoice wrong' });
    const openedAt = at();
    t.clock.advance(60_000);
    const reply = await post(c.number, 'reply', 'Which invoice?');
    const replyAt = at();
    t.clock.advance(60_000);
    const note = await post(c.number, 'note', 'Invoice 42, says the customer.');
    const noteAt = at();
    t.clock.advance(60_000);
    const split = await agent.post(`/api/v1/tickets/${c.number}/split`, { messageIds: [reply, note] });
    expect(split.statusCode, split.body).toBe(201);
    const original = { messageCount: 1, lastMessageAt: openedAt, firstResponseAt: null };
    // The moved reply predates the new ticket: it answered the original, and counting it would
    // give the new ticket a negative first-response time.
    expect(replyAt < split.json().created.createdAt).toBe(true);
    const created = { messageCount: 2, lastMessageAt: noteAt, firstResponseAt: null };
    expect(split.json()).toMatchObject({ original, created });
    expect(await facts(c.number)).toEqual(original);
    expect(await facts(split.json().created.number)).toEqual(created);
  });
});

describeEachDialect('split keeps custom fields', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Sam Splitter' });
    for (const def of [
      { key: 'order_id', label: 'Order', type: 'text', requiredForTypes: ['incident'] },
      { key: 'warranty', label: 'Under warranty', type: 'checkbox' },
    ]) {
      const res = await t.admin.post('/api/v1/custom-fields', def);
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('the new ticket carries the original custom fields, a field required for its type included', async () => {
    const tk = await createTicket(agent, { type: 'incident', customFields: { order_id: 'ORD-9', warranty: true }, tags: ['vip'], priority: 'high' });
    const reply = (await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'Refund on its way.' })).json().message.id as string;
    const split = await agent.post(`/api/v1/tickets/${tk.number}/split`, { messageIds: [reply] });
    expect(split.statusCode, split.body).toBe(201);
    const same = { type: 'incident', customFields: { order_id: 'ORD-9', warranty: true }, tags: ['vip'], priority: 'high' };
    expect(split.json().created).toMatchObject(same);
    expect((await agent.get(`/api/v1/tickets/${split.json().created.number}`)).json()).toMatchObject(same);
    expect((await agent.get(`/api/v1/tickets/${tk.number}`)).json()).toMatchObject(same);
  });
});
