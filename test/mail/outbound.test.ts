import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { REPLY_ABOVE_MARKER } from '../../server/platform/mail/quote-trimmer.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { deliverAndProcess, mail, messagesOf, setupSupportMailbox } from './mail-support.js';
import { deliveries, mailIn, put, reply, settle } from './outbound-support.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const header = (m: { headers: { key: string; value: string }[] }, key: string) => m.headers.filter((h) => h.key === key).map((h) => h.value);

describeEachDialect('outbound mail: agent replies through a real SMTP relay', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    process.env.SMTP_URL = sink.url;
    t = await createTestApp(dialect);
    delete process.env.SMTP_URL;
    await setupSupportMailbox(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => sink.clear());

  it('sends an agent reply to the requester and the people in copy, threaded, from the mailbox, with the signed reply address', async () => {
    const { number, messageId } = await mailIn(t, { from: 'Carol Customer <carol@customer.test>', subject: 'Printer on fire', cc: 'Dan Boss <dan@customer.test>, support@acme.test' });
    await settle(t);
    sink.clear();
    const posted = await reply(t, number, 'A technician is on the way.\n\nPlease leave the room.');
    await settle(t);

    expect(sink.mails).toHaveLength(1);
    const m = sink.mails[0]!;
    // Envelope: the customer and the person in copy; never our own mailbox.
    expect(m.envelope.to.sort()).toEqual(['carol@customer.test', 'dan@customer.test']);
    expect(m.envelope.from).toMatch(/^support\+\d+-[0-9a-f]{20}@acme\.test$/);
    const p = m.parsed;
    expect(p.from).toEqual({ name: 'Acme Support', address: 'support@acme.test' });
    expect(p.replyTo).toEqual([{ name: 'Acme Support', address: m.envelope.from }]);
    expect(p.to).toEqual([{ name: 'Carol Customer', address: 'carol@customer.test' }]);
    expect(p.cc).toEqual([{ name: 'Dan Boss', address: 'dan@customer.test' }]);
    expect(p.subject).toBe(`Re: Printer on fire [#${number}]`);
    expect(p.inReplyTo).toEqual([messageId]);
    expect(p.references).toContain(messageId);
    expect(p.messageId).toMatch(/^<tessera\.[0-9a-f-]+@acme\.test>$/);
    // A person wrote this: not marked automatic.
    expect(header(m, 'auto-submitted')).toEqual([]);
    expect(p.text).toContain('A technician is on the way.');
    expect(p.text).toContain(REPLY_ABOVE_MARKER);
    expect(p.text).toContain('> Hello, I need help.');
    expect(p.html).toContain('<p>A technician is on the way.</p>');

    const [d] = (await deliveries(t, number)).filter((x) => x.kind === 'reply');
    expect(d).toMatchObject({ ticketMessageId: posted.id, messageId: p.messageId, status: 'sent', transport: 'smtp', attempts: 1, automatic: false });
    expect(d!.smtpResponse).toMatch(/^250/);
  });

  it('attaches the reply\'s files', async () => {
    const { number } = await mailIn(t, { from: 'zoe@customer.test', subject: 'Send the manual' });
    await settle(t);
    sink.clear();
    const boundary = 'b0undary';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="manual.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      Buffer.from('%PDF-1.4 pretend manual'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const up = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(up.statusCode, up.body).toBe(201);
    await reply(t, number, 'Here it is.', { attachmentIds: [up.json().id] });
    await settle(t);
    const files = sink.mails[0]!.parsed.attachments;
    expect(files.map((f) => [f.filename, f.contentType, f.content.toString()])).toEqual([['manual.pdf', 'application/pdf', '%PDF-1.4 pretend manual']]);
  });

  it('threads the customer\'s answer to our reply into the same ticket, by In-Reply-To and by the reply address', async () => {
    const { number } = await mailIn(t, { from: 'erin@customer.test', subject: 'Invoice question' });
    await reply(t, number, 'Which invoice?');
    await settle(t);
    const ours = sink.mails.find((m) => m.parsed.subject.startsWith('Re: Invoice question'))!;
    // A client that keeps only In-Reply-To (and drops the subject token).
    const byHeader = await deliverAndProcess(t, mail({ from: 'erin@customer.test', subject: 'answer', messageId: '<erin-1@customer.test>', headers: { 'In-Reply-To': ours.parsed.messageId! } }));
    expect(byHeader).toMatchObject({ ticketNumber: number, threadMatch: `message_id:${ours.parsed.messageId}` });
    // A client that answers to the Reply-To address with a new subject and no threading headers.
    const byAddress = await deliverAndProcess(t, mail({ from: 'erin@customer.test', to: ours.parsed.replyTo[0]!.address, subject: 'one more thing', messageId: '<erin-2@customer.test>' }));
    expect(byAddress).toMatchObject({ ticketNumber: number, threadMatch: `reply_address:#${number}` });
    expect((await messagesOf(t, number)).map((m) => m.kind)).toEqual(['customer', 'reply', 'customer', 'customer']);
  });

  it('retries a temporary refusal with backoff, keeping the error visible, then sends the same message', async () => {
    const { number } = await mailIn(t, { from: 'fay@customer.test', subject: 'Retry' });
    await settle(t);
    sink.clear();
    sink.failNext(451, 'Try again later', 1);
    await reply(t, number, 'First try fails.');
    await settle(t);
    let [d] = (await deliveries(t, number)).filter((x) => x.kind === 'reply');
    expect(d).toMatchObject({ status: 'queued', attempts: 1 });
    expect(d!.lastError).toContain('451');
    expect(sink.mails).toHaveLength(0);
    // The retry waits for its backoff.
    expect(await t.deps.jobs.drain()).toBe(0);
    t.clock.advance(31_000);
    await settle(t);
    [d] = (await deliveries(t, number)).filter((x) => x.kind === 'reply');
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]!.parsed.messageId).toBe(d!.messageId);
  });

  it('gives up at once on a permanent refusal and shows the relay\'s answer', async () => {
    const { number } = await mailIn(t, { from: 'gus@customer.test', subject: 'Refused' });
    await settle(t);
    sink.refuse('gus@customer.test');
    await reply(t, number, 'You will not get this.');
    await settle(t);
    const [d] = (await deliveries(t, number)).filter((x) => x.kind === 'reply');
    expect(d).toMatchObject({ status: 'failed', attempts: 1 });
    expect(d!.lastError).toMatch(/550/);
    t.clock.advance(3600_000);
    expect(await t.deps.jobs.drain()).toBe(0);
  });

  it('marks a sent message failed when a delivery-status report about it comes back, without a customer message', async () => {
    const { number } = await mailIn(t, { from: 'hal@customer.test', subject: 'Bounce me' });
    await settle(t);
    sink.clear();
    await reply(t, number, 'This will bounce later.');
    await settle(t);
    const sent = sink.mails[0]!.parsed.messageId!;
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
      `To: ${sink.mails[0]!.envelope.from}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-1@mx.customer.test>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.test',
      '',
      'Final-Recipient: rfc822; hal@customer.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown',
      '',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${sent}`,
      'Subject: whatever',
      '',
      '--b1--',
      '',
    ].join('\r\n');
    const row = await deliverAndProcess(t, dsn);
    expect(row.kind).toBe('delivery_report');
    await settle(t);
    const [d] = (await deliveries(t, number)).filter((x) => x.kind === 'reply');
    expect(d).toMatchObject({ status: 'failed' });
    expect(d!.lastError).toContain('hal@customer.test');
    expect(d!.lastError).toContain('5.1.1');
    expect((await messagesOf(t, number)).map((m) => m.kind)).toEqual(['customer', 'reply']);
    // Nobody is told about a bounce by mail (that would loop).
    expect(sink.mails).toHaveLength(1);
  });

  it('cannot be made to add headers or recipients through names, subjects or custom fields', async () => {
    const field = await t.admin.post('/api/v1/custom-fields', { key: 'order_ref', label: 'Order', type: 'text' });
    expect(field.statusCode, field.body).toBe(201);
    const evil = 'x\r\nBcc: mallory@evil.test\r\nX-Injected: yes';
    const created = await t.admin.post('/api/v1/tickets', {
      subject: `Help${evil}`,
      channel: 'agent',
      requester: { email: 'ivy@customer.test', name: `Ivy${evil}` },
      message: { body: 'We opened this for you.' },
      customFields: { order_ref: `A-1${evil}` },
    });
    expect(created.statusCode, created.body).toBe(201);
    const res = await put(t, '/api/v1/customer-notifications/templates/reply', {
      subject: 'Re: {{ ticket.subject }} ({{ ticket.custom_fields.order_ref }}) for {{ customer.name }}',
      html: '{{ message.html | raw }}',
      text: '{{ message.text }}',
    });
    expect(res.statusCode, res.body).toBe(200);
    try {
      await settle(t);
    } finally {
      await t.admin.delete('/api/v1/customer-notifications/templates/reply');
    }
    const m = sink.mails.find((x) => x.envelope.to.includes('ivy@customer.test'))!;
    expect(m.envelope.to).toEqual(['ivy@customer.test']);
    expect(m.headers.map((h) => h.key)).not.toContain('bcc');
    expect(m.headers.map((h) => h.key)).not.toContain('x-injected');
    expect(m.headerBlock).not.toMatch(/^(Bcc|X-Injected):/im);
    const flat = evil.replace(/\r\n/g, ' ');
    expect(m.parsed.subject).toBe(`Re: Help${flat} (A-1${flat}) for Ivy${flat} [#${created.json().number}]`);
    expect(m.parsed.to).toEqual([{ name: `Ivy${flat}`, address: 'ivy@customer.test' }]);
  });
});
