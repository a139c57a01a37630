import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readOrCreateSecret, recordMessageIds } from '../../server/modules/channels/threads.repository.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CORPUS_SECRET, EXPECTED } from '../fixtures/mail/expected.js';
import { FIXTURES, fixture, inbound, messagesOf, postRaw, setupSupportMailbox } from './mail-support.js';

// Small per-message attachment budget so 07 shows a file left out (read when the app is built).
process.env.TESSERA_MAX_MAIL_ATTACHMENTS_MB = '0.15';

it('every fixture has exactly one expected outcome, and there are at least 40', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort();
  expect(files.length).toBeGreaterThanOrEqual(40);
  expect(EXPECTED.map((e) => e.file)).toEqual(files);
});

describeEachDialect('mail corpus: store -> job -> ticket', (dialect) => {
  let t: TestApp;
  let groupId: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    groupId = (await setupSupportMailbox(t)).groupId;
    await readOrCreateSecret(t.deps.database.db, () => CORPUS_SECRET, t.clock.now().toISOString());
    // The address fixture 41 forges.
    await t.user({ role: 'agent', name: 'Agent Smith', email: 'agent.smith@tessera.test' });
  });
  afterAll(() => t.close());

  const ticketIdOf = async (number: number): Promise<string> => (await t.admin.get(`/api/v1/tickets/${number}`)).json().id;

  for (const e of EXPECTED) {
    it(`${e.file} -> ${e.status}${e.ticket ? ` on #${e.ticket.number}` : ''}`, async () => {
      if (e.setup?.resolveTicket) expect((await t.admin.patch(`/api/v1/tickets/${e.setup.resolveTicket}`, { status: 'resolved' })).statusCode).toBe(200);
      if (e.setup?.closeTicket) expect((await t.admin.patch(`/api/v1/tickets/${e.setup.closeTicket}`, { status: 'closed' })).statusCode).toBe(200);
      if (e.setup?.outboundMessageId) {
        // What the outbound side will record when it sends a reply.
        const o = e.setup.outboundMessageId;
        await recordMessageIds(t.deps.database.db, [{ headerId: o.id, ticketId: await ticketIdOf(o.ticket), messageId: null, direction: 'outbound', createdAt: t.clock.now().toISOString() }]);
      }
      const countBefore = (await t.admin.get('/api/v1/mail/inbound?limit=200')).json().items.length;
      const res = await postRaw(t, fixture(e.file));
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json().duplicate).toBe(Boolean(e.repeatDelivery));
      await t.deps.jobs.drain();
      const countAfter = (await t.admin.get('/api/v1/mail/inbound?limit=200')).json().items.length;
      expect(countAfter).toBe(countBefore + (e.repeatDelivery ? 0 : 1));
      const row = await inbound(t, res.json().id);
      if (e.repeatDelivery) {
        expect(row.deliveries).toBe(2);
        return;
      }
      expect(row.status, row.reason ?? '').toBe(e.status);
      if (e.reason) expect(row.reason).toMatch(e.reason);
      if (e.kind) expect(row.kind).toBe(e.kind);
      if (e.suppressAutoReply !== undefined) expect(row.suppressAutoReply).toBe(e.suppressAutoReply);
      if (e.thread) expect(row.threadMatch ?? '').toMatch(new RegExp(`^${e.thread.replace(/[#()[\]]/g, '\\$&')}`));
      if (e.trimmed !== undefined) expect(row.trimmed).toBe(e.trimmed);
      if (e.report) {
        expect(row.deliveryReports).toEqual([expect.objectContaining({ originalMessageId: e.report.originalMessageId, recipient: e.report.recipient, action: e.report.action, status: e.report.status })]);
        expect(row.ticketNumber).toBe(e.report.ticket);
        // A delivery report is never a customer message.
        expect(row.ticketMessageId).toBeNull();
      }
      if (!e.ticket) {
        if (e.status !== 'processed') expect(row.ticketMessageId).toBeNull();
        return;
      }
      expect(row.ticketNumber).toBe(e.ticket.number);
      const ticket = (await t.admin.get(`/api/v1/tickets/${e.ticket.number}`)).json();
      expect(ticket.channel).toBe('email');
      if (e.ticket.created) {
        expect(ticket.groupId).toBe(groupId);
        const messages = await messagesOf(t, e.ticket.number);
        expect(messages).toHaveLength(1);
      }
      if (e.ticket.subject) expect(ticket.subject).toBe(e.ticket.subject);
      if (e.ticket.requester) expect(ticket.requester.email).toBe(e.ticket.requester);
      if (e.ticket.status) expect(ticket.status).toBe(e.ticket.status);
      if (e.ticket.followUpOf) expect(ticket.followUpOfNumber).toBe(e.ticket.followUpOf);
      const message = (await messagesOf(t, e.ticket.number)).find((m) => m.id === row.ticketMessageId);
      expect(message, 'the message the mail produced').toBeDefined();
      // Inbound mail is always a customer message written by a contact, whatever its headers say.
      expect(message!.kind).toBe('customer');
      expect(message!.author.type).toBe('contact');
      const m = e.message;
      if (!m) return;
      if (m.author) expect(message!.author.name).toBe(m.author);
      for (const s of m.textIncludes ?? []) expect(message!.bodyText).toContain(s);
      for (const s of m.textExcludes ?? []) expect(message!.bodyText).not.toContain(s);
      for (const s of m.htmlIncludes ?? []) expect(message!.bodyHtml).toContain(s);
      for (const s of m.htmlExcludes ?? []) expect(message!.bodyHtml).not.toContain(s);
      if (m.attachments) expect(message!.attachments.map((a) => a.filename).sort()).toEqual([...m.attachments].sort());
    });
  }

  it('the quarantine lists the unprocessable messages with their reasons, raw bytes kept', async () => {
    const q = (await t.admin.get('/api/v1/mail/inbound?status=quarantined')).json().items as { id: string; subject: string }[];
    expect(q.map((x) => x.subject)).toEqual(['Re: Printer not working', 'Who sent this?']);
    const raw = await t.admin.get(`/api/v1/mail/inbound/${q.find((x) => x.subject === 'Who sent this?')!.id}/raw`);
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toContain('message/rfc822');
    expect(raw.rawPayload.equals(fixture('29-no-from.eml'))).toBe(true);
  });

  it('cid images are served as the stored attachment, and the follow-up points at the closed ticket', async () => {
    const [m] = await messagesOf(t, 5);
    const src = /src="(\/api\/v1\/attachments\/[^"]+)"/.exec(m!.bodyHtml)![1]!;
    const img = await t.admin.get(src);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    const old = (await t.admin.get('/api/v1/tickets/6/events')).json().items as { action: string; to: { number?: number } }[];
    expect(old.some((ev) => ev.action === 'follow_up_opened' && ev.to.number === 32)).toBe(true);
  });

  it('people in copy who wrote are participants of the conversation', async () => {
    const res = await t.admin.get('/api/v1/tickets/11/mail-participants');
    expect(res.statusCode, res.body).toBe(200);
    const roles = Object.fromEntries(res.json().items.map((p: { email: string; role: string; contactId: string | null }) => [p.email, [p.role, p.contactId !== null]]));
    expect(roles).toEqual({ 'bob@customer.test': ['requester', true], 'carol@customer.test': ['cc', true], 'dave@customer.test': ['cc', true] });
  });

  it('the full original of a trimmed message keeps the quoted history', async () => {
    const row = (await t.admin.get('/api/v1/mail/inbound?limit=200')).json().items.find((x: { messageId: string }) => x.messageId === '<CAGmail12+abc@mail.gmail.test>');
    const original = await t.admin.get(`/api/v1/mail/messages/${row.ticketMessageId}/original`);
    expect(original.statusCode, original.body).toBe(200);
    expect(original.json().trimmed).toBe(true);
    expect(original.json().text).toContain('QUOTED-HISTORY-MARKER');
  });
});
