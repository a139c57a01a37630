import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { setupSupportMailbox, type MailboxJson } from './mail-support.js';
import { deliveries, mailIn, reply, settle } from './outbound-support.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const autoSubmitted = (m: { headers: { key: string; value: string }[] }) => m.headers.find((h) => h.key === 'auto-submitted')?.value;

describeEachDialect('customer notifications: acknowledgements, status notices, loops and limits', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  let mailbox: MailboxJson;
  beforeAll(async () => {
    sink = await startSmtpSink();
    process.env.SMTP_URL = sink.url;
    t = await createTestApp(dialect);
    delete process.env.SMTP_URL;
    mailbox = (await setupSupportMailbox(t)).mailbox;
    await t.admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { brand: { name: 'Acme', logoUrl: 'https://acme.test/logo.png', colour: '#d12f2f', signature: 'The Acme help team' } });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => sink.clear());

  // Each change at its own moment, as in real life (a reply and a status change in one step share one).
  const setStatus = async (number: number, status: string) => {
    t.clock.advance(1000);
    const res = await t.admin.patch(`/api/v1/tickets/${number}`, { status });
    if (res.statusCode !== 200) throw new Error(res.body);
  };

  it('acknowledges a new email ticket with its number, branded, marked automatic, in reply to the customer\'s mail', async () => {
    const { number, messageId } = await mailIn(t, { from: 'Jane Doe <jane@customer.test>', subject: 'Cannot log in' });
    await settle(t);
    expect(sink.mails).toHaveLength(1);
    const m = sink.mails[0]!;
    expect(m.envelope.to).toEqual(['jane@customer.test']);
    expect(autoSubmitted(m)).toBe('auto-replied');
    expect(m.parsed.subject).toBe(`We received your request: Cannot log in [#${number}]`);
    expect(m.parsed.inReplyTo).toEqual([messageId]);
    expect(m.parsed.text).toContain(`gave it the number #${number}`);
    expect(m.parsed.text).toContain('Hello Jane,');
    expect(m.parsed.text).toContain('The Acme help team');
    expect(m.parsed.html).toContain('border-top:4px solid #d12f2f');
    expect(m.parsed.html).toContain('src="https://acme.test/logo.png"');
    expect(m.parsed.html).toContain('#' + number);
    // Multipart/alternative: both renderings, always.
    expect(m.raw.toString()).toMatch(/Content-Type: multipart\/alternative/i);
    expect((await deliveries(t, number))[0]).toMatchObject({ kind: 'acknowledgement', automatic: true, status: 'sent' });
  });

  it('acknowledges a ticket a customer opens on the web, but not one an agent opens by phone', async () => {
    const web = await t.admin.post('/api/v1/tickets', { subject: 'Web form', channel: 'web_form', requester: { email: 'kim@customer.test', name: 'Kim' }, message: { body: 'From the form' } });
    const phone = await t.admin.post('/api/v1/tickets', { subject: 'Phone call', channel: 'phone', requester: { email: 'lee@customer.test', name: 'Lee' }, message: { body: 'Called in' } });
    await settle(t);
    expect(sink.mails.map((m) => m.envelope.to[0])).toEqual(['kim@customer.test']);
    expect(sink.mails[0]!.parsed.subject).toContain(`[#${web.json().number}]`);
    expect(await deliveries(t, phone.json().number)).toEqual([]);
  });

  it('acknowledges each web ticket of a batch create, each with its own number, and not the phone one among them', async () => {
    const res = await t.admin.post('/api/v1/tickets/batch', {
      tickets: [
        { subject: 'Batch web 1', channel: 'web_form', requester: { email: 'ann@customer.test' }, message: { body: 'One' } },
        { subject: 'Batch phone', channel: 'phone', requester: { email: 'bo@customer.test' }, message: { body: 'Two' } },
        { subject: 'Batch web 2', channel: 'web_form', requester: { email: 'cy@customer.test' }, message: { body: 'Three' } },
      ],
    });
    expect(res.statusCode).toBe(201);
    const [web1, phone, web2] = res.json().items as { number: number }[];
    await settle(t);
    const mailTo = (address: string) => sink.mails.filter((m) => m.envelope.to[0] === address).map((m) => m.parsed.subject);
    expect(mailTo('ann@customer.test')).toEqual([expect.stringContaining(`[#${web1!.number}]`)]);
    expect(mailTo('cy@customer.test')).toEqual([expect.stringContaining(`[#${web2!.number}]`)]);
    expect(mailTo('bo@customer.test')).toEqual([]);
    expect(await deliveries(t, phone!.number)).toEqual([]);
  });

  it('never acknowledges mail from machines: out-of-office, Auto-Submitted, bulk lists, mailer-daemons', async () => {
    const machines: { from: string; subject: string; headers?: Record<string, string> }[] = [
      { from: 'ooo@customer.test', subject: 'Out of office: back on Monday' },
      { from: 'robot@customer.test', subject: 'Daily report', headers: { 'Auto-Submitted': 'auto-generated' } },
      { from: 'news@list.test', subject: 'Newsletter', headers: { Precedence: 'bulk', 'List-Id': '<news.list.test>' } },
      { from: 'postmaster@customer.test', subject: 'Notice' },
    ];
    const numbers: number[] = [];
    for (const m of machines) numbers.push((await mailIn(t, m)).number);
    await settle(t);
    expect(sink.mails).toEqual([]);
    // A status notice does not go to them either.
    await setStatus(numbers[1]!, 'resolved');
    await settle(t);
    expect(sink.mails).toEqual([]);
    // An agent's reply is a person talking, and does go out.
    await reply(t, numbers[1]!, 'We saw your report.');
    await settle(t);
    expect(sink.mails.map((m) => m.envelope.to[0])).toEqual(['robot@customer.test']);
    expect(autoSubmitted(sink.mails[0]!)).toBeUndefined();
  });

  it('tells the customer when their request waits for them, is resolved or closed; a reply that changes the status sends one mail', async () => {
    const { number } = await mailIn(t, { from: 'max@customer.test', subject: 'Status please' });
    await settle(t);
    sink.clear();
    await setStatus(number, 'waiting');
    await settle(t);
    expect(sink.mails.map((m) => m.parsed.subject)).toEqual([`We need your answer: Status please [#${number}]`]);
    sink.clear();
    await reply(t, number, 'Fixed it for you.', { setStatus: 'resolved' });
    await settle(t);
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]!.parsed.subject).toBe(`Re: Status please [#${number}]`);
    expect(sink.mails[0]!.parsed.text).toContain('We consider this request resolved');
    sink.clear();
    await setStatus(number, 'closed');
    await settle(t);
    expect(sink.mails.map((m) => [m.parsed.subject, autoSubmitted(m)])).toEqual([[`Your request is closed: Status please [#${number}]`, 'auto-replied']]);
  });

  it('sends at most 3 automatic mails per ticket and recipient an hour; the rest are recorded as suppressed', async () => {
    const { number } = await mailIn(t, { from: 'ned@customer.test', subject: 'Flapping' });
    for (const s of ['waiting', 'in_progress', 'waiting', 'in_progress', 'resolved']) {
      await setStatus(number, s);
      await settle(t);
    }
    const d = await deliveries(t, number);
    expect(d.map((x) => [x.kind, x.status])).toEqual([
      ['acknowledgement', 'sent'],
      ['status_waiting', 'sent'],
      ['status_waiting', 'sent'],
      ['status_resolved', 'suppressed'],
    ]);
    expect(d[3]!.lastError).toContain('limit 3');
    expect(sink.mails).toHaveLength(3);
    // An hour later the customer hears again.
    t.clock.advance(3600_000);
    await setStatus(number, 'closed');
    await settle(t);
    expect(sink.mails).toHaveLength(4);
  });

  it('lets an admin switch each notice off globally, and back on for one mailbox', async () => {
    const other = (await t.admin.post('/api/v1/mailboxes', { address: 'sales@acme.test', displayName: 'Acme Sales' })).json();
    const off = await t.admin.patch('/api/v1/customer-notifications/settings', { enabled: { acknowledgement: false } });
    expect(off.statusCode, off.body).toBe(200);
    const on = await t.admin.patch('/api/v1/customer-notifications/settings', { mailboxId: other.id, enabled: { acknowledgement: true } });
    expect(on.json().mailboxes.find((m: { mailboxId: string }) => m.mailboxId === other.id)).toMatchObject({ overrides: { acknowledgement: true }, effective: { acknowledgement: true, reply: true } });
    expect(on.json().global).toMatchObject({ acknowledgement: false, reply: true });
    try {
      await mailIn(t, { from: 'olga@customer.test', subject: 'To support' });
      const sales = await t.app.inject({
        method: 'POST',
        url: '/api/v1/mail/inbound?mailbox=sales@acme.test',
        headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'message/rfc822' },
        payload: 'From: pia@customer.test\r\nTo: sales@acme.test\r\nSubject: To sales\r\nMessage-ID: <pia-1@customer.test>\r\n\r\nQuote please\r\n',
      });
      expect(sales.statusCode).toBe(202);
      await settle(t);
      expect(sink.mails.map((m) => [m.envelope.to[0], m.parsed.from?.address])).toEqual([['pia@customer.test', 'sales@acme.test']]);
      const bad = await t.admin.patch('/api/v1/customer-notifications/settings', { enabled: { acknowledgement: null } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details.fields[0].path).toBe('enabled.acknowledgement');
    } finally {
      await t.admin.patch('/api/v1/customer-notifications/settings', { enabled: { acknowledgement: true } });
    }
  });

  it('never mails customers about imported history', async () => {
    const res = await t.admin.post('/api/v1/import/tickets', {
      tickets: [
        {
          subject: 'Old conversation',
          requester: { email: 'old@customer.test', name: 'Old Customer' },
          status: 'closed',
          channel: 'email',
          createdAt: '2025-06-01T10:00:00.000Z',
          messages: [
            { kind: 'customer', body: 'Question from last year', createdAt: '2025-06-01T10:00:00.000Z' },
            { kind: 'reply', authorEmail: t.admin.email, body: 'Answer from last year', createdAt: '2025-06-02T10:00:00.000Z' },
          ],
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    await settle(t);
    expect(sink.mails).toEqual([]);
    expect(await deliveries(t, res.json().imported[0].number)).toEqual([]);
  });

  it('agents may read delivery status but not change notification settings', async () => {
    const agent = await t.user({ role: 'agent' });
    const { number } = await mailIn(t, { from: 'quinn@customer.test', subject: 'Agent view' });
    await settle(t);
    expect((await agent.get(`/api/v1/tickets/${number}/mail-deliveries`)).statusCode).toBe(200);
    expect((await agent.patch('/api/v1/customer-notifications/settings', { enabled: { reply: false } })).statusCode).toBe(403);
    expect((await agent.get('/api/v1/mail/outbox')).statusCode).toBe(403);
  });
});
