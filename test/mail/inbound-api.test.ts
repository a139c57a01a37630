import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../server/modules/auth/index.js';
import { durableWrite, sqliteSynchronousLevel } from '../../server/platform/db/dialect/durable.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { deliverAndProcess, inbound, mail, messagesOf, postRaw, setupSupportMailbox } from './mail-support.js';

// A small raw-size limit for the 413 case (read when the app is built).
process.env.TESSERA_MAX_MAIL_MB = '3';

describeEachDialect('inbound mail over HTTP: storage, duplicates, quarantine and replay', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let groupId: string;
  let mailboxId: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent' });
    const s = await setupSupportMailbox(t);
    groupId = s.groupId;
    mailboxId = s.mailbox.id;
  });
  afterAll(() => t.close());

  it('needs an admin API token with the write scope and a raw message body', async () => {
    const raw = mail({ from: 'a@customer.test', subject: 'auth', messageId: '<auth@c.test>' });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/mail/inbound?mailbox=support@acme.test', headers: { 'content-type': 'message/rfc822' }, payload: raw })).statusCode).toBe(401);
    expect((await postRaw(t, raw, 'support@acme.test', agent.token)).statusCode).toBe(403);
    const admins = await t.admin.get('/api/v1/me');
    const readOnly = await createApiToken(t.systemCtx(), { name: 'ro', scopes: ['read', 'admin'], expiresAt: null, userId: admins.json().id ?? t.admin.userId });
    expect((await postRaw(t, raw, 'support@acme.test', readOnly.token)).statusCode).toBe(403);
    const json = await t.admin.post('/api/v1/mail/inbound?mailbox=support@acme.test', { raw });
    expect(json.statusCode).toBe(415);
    const noMailbox = await t.app.inject({ method: 'POST', url: '/api/v1/mail/inbound', headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'message/rfc822' }, payload: raw });
    expect(noMailbox.statusCode).toBe(400);
    expect(noMailbox.json().error.details.fields[0].path).toBe('querystring.mailbox');
    const unknown = await postRaw(t, raw, 'nobody@acme.test');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details.fields[0].path).toBe('mailbox');
    expect((await postRaw(t, '', 'support@acme.test')).statusCode).toBe(400);
    // Nothing above was stored.
    expect((await t.admin.get('/api/v1/mail/inbound')).json().items).toHaveLength(0);
  });

  it('answers 413 above TESSERA_MAX_MAIL_MB', async () => {
    const big = mail({ from: 'a@customer.test', subject: 'big', body: 'x'.repeat(3.2 * 1024 * 1024) });
    const res = await postRaw(t, big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('stores the exact bytes, and the same message delivered twice becomes one ticket message', async () => {
    const raw = Buffer.from(mail({ from: 'Dora <dora@customer.test>', subject: 'Twice', messageId: '<twice@customer.test>', body: 'Only once please' }));
    const first = await postRaw(t, raw);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ messageId: '<twice@customer.test>', duplicate: false, status: 'pending' });
    const second = await postRaw(t, raw);
    expect(second.json()).toMatchObject({ id: first.json().id, duplicate: true });
    await t.deps.jobs.drain();
    const row = await inbound(t, first.json().id);
    expect(row).toMatchObject({ status: 'processed', deliveries: 2 });
    expect(await messagesOf(t, row.ticketNumber!)).toHaveLength(1);
    const stored = await t.admin.get(`/api/v1/mail/inbound/${row.id}/raw`);
    expect(stored.rawPayload.equals(raw)).toBe(true);
    // Without a Message-ID the same bytes get the same stable id.
    const anon = Buffer.from(mail({ from: 'dora@customer.test', subject: 'No id', body: 'abc' }));
    const a = (await postRaw(t, anon)).json();
    expect(a.messageId).toMatch(/^<[0-9a-f]{64}@tessera\.local>$/);
    expect((await postRaw(t, anon)).json()).toMatchObject({ messageId: a.messageId, duplicate: true });
  });

  it('stores and processes a mail with raw NUL bytes in its headers and body (PostgreSQL cannot store them), bytes kept exact', async () => {
    const raw = Buffer.from(
      'From: Nul\u0000Nina <ni\u0000na@customer.test>\r\nTo: support@acme.test\r\nSubject: lit\u0000eral\r\nMessage-ID: <nul\u0000id@customer.test>\r\n' +
        'Content-Type: text/plain\r\n\r\nbody \u0000 here\r\n',
      'latin1',
    );
    const res = await postRaw(t, raw);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().messageId).toBe('<nulid@customer.test>');
    await t.deps.jobs.drain();
    const row = await inbound(t, res.json().id);
    expect(row.status, row.reason ?? '').toBe('processed');
    const ticket = (await t.admin.get(`/api/v1/tickets/${row.ticketNumber}`)).json();
    expect(ticket).toMatchObject({ subject: 'lit\ufffderal', requester: { email: 'nina@customer.test' } });
    expect((await messagesOf(t, row.ticketNumber!))[0]!.bodyText).toBe('body \ufffd here');
    expect((await t.admin.get(`/api/v1/mail/inbound/${row.id}/raw`)).rawPayload.equals(raw)).toBe(true);
  });

  it('drops a file over the per-file limit and says so on the message, keeping the rest', async () => {
    const boundary = 'b-limit';
    const big = Buffer.alloc(1.2 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = [
      'From: Ed <ed@customer.test>', 'To: support@acme.test', 'Subject: Files', 'Message-ID: <files@customer.test>', 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`, '',
      `--${boundary}`, 'Content-Type: text/plain', '', 'Two files attached.', '',
      `--${boundary}`, 'Content-Type: text/plain; name="small.txt"', 'Content-Disposition: attachment; filename="small.txt"', '', 'small', '',
      `--${boundary}`, 'Content-Type: application/zip; name="huge.zip"', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename="huge.zip"', '', big, `--${boundary}--`, '',
    ].join('\r\n');
    const row = await deliverAndProcess(t, raw);
    expect(row.status).toBe('processed');
    const [m] = await messagesOf(t, row.ticketNumber!);
    expect(m!.attachments.map((a) => a.filename)).toEqual(['small.txt']);
    expect(m!.bodyText).toContain('huge.zip (1.2 MB) was not kept: files may be at most 1.0 MB');
  });

  it('quarantines what cannot be processed with the reason, and replays it after the fix', async () => {
    const g = (await t.admin.post('/api/v1/groups', { name: 'Temporary' })).json();
    expect((await t.admin.patch(`/api/v1/mailboxes/${mailboxId}`, { defaultGroupId: g.id })).statusCode).toBe(200);
    expect((await t.admin.delete(`/api/v1/groups/${g.id}`)).statusCode).toBe(200);
    const row = await deliverAndProcess(t, mail({ from: 'fay@customer.test', subject: 'Stuck', messageId: '<stuck@customer.test>', body: 'Please help' }));
    expect(row.status).toBe('quarantined');
    expect(row.reason).toContain('groupId');
    expect(row.ticketNumber).toBeNull();
    // Nothing of the failed attempt is left behind: no contact, no ticket.
    expect((await t.admin.get('/api/v1/contacts?q=fay%40customer.test')).json().items).toHaveLength(0);
    const listed = (await t.admin.get('/api/v1/mail/inbound?status=quarantined')).json().items;
    expect(listed.map((x: { id: string }) => x.id)).toEqual([row.id]);
    expect(listed[0].reason).toContain('groupId');
    expect((await agent.get('/api/v1/mail/inbound?status=quarantined')).statusCode).toBe(403);
    expect((await agent.post(`/api/v1/mail/inbound/${row.id}/replay`)).statusCode).toBe(403);

    expect((await t.admin.patch(`/api/v1/mailboxes/${mailboxId}`, { defaultGroupId: groupId })).statusCode).toBe(200);
    const replay = await t.admin.post(`/api/v1/mail/inbound/${row.id}/replay`);
    expect(replay.statusCode, replay.body).toBe(202);
    expect(replay.json().status).toBe('pending');
    await t.deps.jobs.drain();
    const done = await inbound(t, row.id);
    expect(done).toMatchObject({ status: 'processed', reason: null, attempts: 2 });
    const ticket = (await t.admin.get(`/api/v1/tickets/${done.ticketNumber}`)).json();
    expect(ticket).toMatchObject({ subject: 'Stuck', groupId, channel: 'email' });
    expect((await t.admin.post(`/api/v1/mail/inbound/${row.id}/replay`)).statusCode).toBe(409);
    const audit = (await t.admin.get('/api/v1/audit-log?action=mail.replayed')).json().items;
    expect(audit[0]).toMatchObject({ targetId: row.id });
  });

  it('a reply to a merged ticket lands on the ticket it was merged into; a reply to a resolved one reopens it', async () => {
    const a = await deliverAndProcess(t, mail({ from: 'gus@customer.test', subject: 'First', messageId: '<merge-a@customer.test>' }));
    const b = await deliverAndProcess(t, mail({ from: 'gus@customer.test', subject: 'Second', messageId: '<merge-b@customer.test>' }));
    expect((await t.admin.post(`/api/v1/tickets/${b.ticketNumber}/merge`, { sourceNumbers: [a.ticketNumber] })).statusCode).toBe(200);
    expect((await t.admin.patch(`/api/v1/tickets/${b.ticketNumber}`, { status: 'resolved' })).statusCode).toBe(200);
    const reply = await deliverAndProcess(t, mail({ from: 'gus@customer.test', subject: 'Re: First', messageId: '<merge-reply@customer.test>', headers: { 'In-Reply-To': '<merge-a@customer.test>' } }));
    expect(reply.ticketNumber).toBe(b.ticketNumber);
    const ticket = (await t.admin.get(`/api/v1/tickets/${b.ticketNumber}`)).json();
    expect(ticket.status).toBe('open');
    expect(ticket.reopenCount).toBe(1);
  });

  it('a reply whose original is stored but not processed yet waits for it, then joins its ticket', async () => {
    // The reply is queued first, as when several workers take mail at once and the original is
    // still being processed by another one.
    const reply = await postRaw(t, mail({ from: 'ida@customer.test', subject: 'Re: Invoice', messageId: '<wait-reply@customer.test>', headers: { 'In-Reply-To': '<wait-original@customer.test>' } }));
    t.clock.advance(1);
    const original = await postRaw(t, mail({ from: 'ida@customer.test', subject: 'Invoice', messageId: '<wait-original@customer.test>' }));
    await t.deps.jobs.drain();
    const first = await inbound(t, original.json().id);
    expect(first.status).toBe('processed');
    expect((await inbound(t, reply.json().id)).status).toBe('pending');
    t.clock.advance(2000);
    await t.deps.jobs.drain();
    const answered = await inbound(t, reply.json().id);
    expect(answered.status).toBe('processed');
    expect(answered.threadMatch).toContain('wait-original@customer.test');
    expect(answered.ticketNumber).toBe(first.ticketNumber);
  });

  it("the original of a mail on a ticket an agent restricted to other groups cannot see answers exactly as one that does not exist", async () => {
    const row = await deliverAndProcess(t, mail({ from: 'ivo@customer.test', subject: 'Hidden original', messageId: '<hidden-original@customer.test>' }));
    expect(row.status).toBe('processed');
    const otherGroup = (await t.admin.post('/api/v1/groups', { name: `Elsewhere ${dialect}` })).json().id as string;
    const outsider = await t.user({ role: 'agent', groupIds: [otherGroup], restrictedToGroups: true });
    expect((await agent.get(`/api/v1/mail/messages/${row.ticketMessageId}/original`)).statusCode).toBe(200);
    const foreign = await outsider.get(`/api/v1/mail/messages/${row.ticketMessageId}/original`);
    const none = await outsider.get('/api/v1/mail/messages/00000000-0000-7000-8000-000000000000/original');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual(none.json());
    expect(foreign.json().error.message).toBe('Email original not found');
  });

  it('keeps the acknowledging write durable: SQLite syncs fully while it runs', async () => {
    const db = t.deps.database.db;
    let during: number | null = -1;
    await durableWrite(db, async (trx) => {
      during = await sqliteSynchronousLevel(trx);
    });
    if (dialect === 'sqlite') {
      expect(during).toBe(2);
      expect(await sqliteSynchronousLevel(db)).toBe(1);
    } else {
      expect(during).toBeNull();
    }
  });
});
