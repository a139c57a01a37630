import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { setupSupportMailbox } from '../mail/mail-support.js';
import { deliveries, settle } from '../mail/outbound-support.js';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.js';

type Part = [name: string, value: string] | [name: string, file: { filename: string; type: string; content: string }];

function multipart(parts: Part[]): { payload: string; headers: Record<string, string> } {
  const boundary = '----tesseraFormBoundary';
  const body = parts
    .map(([name, v]) =>
      typeof v === 'string'
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\nContent-Type: ${v.type}\r\n\r\n${v.content}\r\n`,
    )
    .join('');
  return { payload: `${body}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const stampOf = (html: string): string => /name="stamp" value="([^"]+)"/.exec(html)![1]!.replace(/&quot;/g, '"');

describeEachDialect('contact form (/support/new)', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  let ip = 0;
  beforeAll(async () => {
    sink = await startSmtpSink();
    process.env.SMTP_URL = sink.url;
    t = await createTestApp(dialect);
    delete process.env.SMTP_URL;
    await setupSupportMailbox(t, 'help@acme.test');
    expect((await t.admin.post('/api/v1/custom-fields', { key: 'order_number', label: 'Order number', type: 'text', requiredForTypes: ['incident'] })).statusCode).toBe(201);
    expect((await t.admin.post('/api/v1/custom-fields', { key: 'product', label: 'Product', type: 'dropdown', options: ['Kettle', 'Toaster'] })).statusCode).toBe(201);
    expect((await t.admin.patch('/api/v1/forms/settings', { types: ['question', 'incident'], fields: { incident: ['product'] } })).statusCode).toBe(200);
    const [audit] = (await t.admin.get('/api/v1/audit-log?action=settings.updated')).json().items;
    expect(audit).toMatchObject({ actorId: t.admin.userId, targetType: 'settings', targetId: 'forms', data: { before: { types: ['question'] }, after: { types: ['question', 'incident'], fields: { incident: ['product'] } } } });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  /** Each scenario comes from its own address, so the per-IP limit counts only its own posts. */
  const newIp = () => `203.0.113.${++ip}`;
  const page = (query = '', remoteAddress = newIp()) => t.app.inject({ method: 'GET', url: `/support/new${query}`, remoteAddress });
  const post = (query: string, parts: Part[], remoteAddress: string) => t.app.inject({ method: 'POST', url: `/support/new${query}`, remoteAddress, ...multipart(parts) });
  const fields = (stamp: string, over: Record<string, string> = {}): Part[] =>
    Object.entries({ stamp, type: 'question', website: '', name: 'Kim Customer', email: 'kim@customer.test', subject: 'Kettle leaks', message: 'Water everywhere.', ...over });

  it('serves an accessible page whose fields follow the ticket type; only the embed variant may be framed', async () => {
    const q = await page('?mailbox=help@acme.test');
    expect(q.statusCode).toBe(200);
    expect(q.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(q.body).toContain('<label for="email">Your email</label>');
    expect(q.body).not.toContain('Order number');
    const incident = await page('?type=incident');
    expect(incident.body).toContain('Order number');
    expect(incident.body).toContain('Product (optional)');
    expect((await page('?embed=1')).headers['content-security-policy']).toContain('frame-ancestors *');
    const embed = await t.anonymous.get('/support/embed.js');
    expect(embed.headers['content-type']).toContain('javascript');
    expect(embed.body).toContain('/support/new');
  });

  it('refuses bots: a filled honeypot, a form sent too fast, a forged or expired time stamp', async () => {
    const from = newIp();
    const stamp = stampOf((await page('', from)).body);
    const tooFast = await post('', fields(stamp), from);
    expect(tooFast.statusCode).toBe(400);
    expect(tooFast.body).toContain('sent too quickly');
    // Nothing typed is lost.
    expect(tooFast.body).toContain('value="Kettle leaks"');
    expect(tooFast.body).toContain('Water everywhere.</textarea>');
    t.clock.advance(5_000);
    const honey = await post('', fields(stamp, { website: 'http://spam.example' }), from);
    expect(honey.statusCode).toBe(400);
    expect(honey.body).toContain('could not be sent');
    const [ms] = stamp.split('.');
    const forged = await post('', fields(`${Number(ms) - 60_000}.${stamp.split('.')[1]}`), from);
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('could not be verified');
    t.clock.advance(25 * 3600_000);
    const expired = await post('', fields(stamp), from);
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('expired');
    const tickets = (await t.admin.get('/api/v1/tickets?q=channel:web_form')).json();
    expect(tickets.items).toHaveLength(0);
  });

  it('lists every missing field at once and keeps the text', async () => {
    const from = newIp();
    const stamp = stampOf((await page('?type=incident', from)).body);
    t.clock.advance(5_000);
    const res = await post('?type=incident', fields(stamp, { type: 'incident', email: 'not-an-email', subject: '', cf_product: 'Blender' }), from);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('role="alert"');
    for (const text of ['enter a valid email address', 'enter a subject', 'Order number: this field is required', 'Product: choose one of the options']) expect(res.body).toContain(text);
    expect(res.body).toContain('value="not-an-email"');
    expect(res.body).toContain('aria-invalid="true" aria-describedby="email-err"');
  });

  it('opens a web_form ticket with custom fields and attachments, and the customer gets the acknowledgement', async () => {
    const from = newIp();
    const stamp = stampOf((await page('?type=incident&mailbox=help@acme.test', from)).body);
    t.clock.advance(5_000);
    const res = await post(
      '?type=incident&mailbox=help@acme.test',
      [
        ...fields(stamp, { type: 'incident', cf_order_number: 'A-1001', cf_product: 'Kettle' }),
        ['files', { filename: 'photo.txt', type: 'text/plain', content: 'a photo, in words' }],
        ['files', { filename: 'receipt.csv', type: 'text/csv', content: 'order,total\nA-1001,30' }],
      ],
      from,
    );
    expect(res.statusCode).toBe(201);
    const number = Number(/ticket #(\d+)/.exec(res.body)![1]);
    const ticket = (await t.admin.get(`/api/v1/tickets/${number}`)).json();
    expect(ticket).toMatchObject({ channel: 'web_form', type: 'incident', subject: 'Kettle leaks', requester: { email: 'kim@customer.test', name: 'Kim Customer' }, customFields: { order_number: 'A-1001', product: 'Kettle' } });
    const messages = (await t.admin.get(`/api/v1/tickets/${number}/messages`)).json();
    const first = (messages.items ?? messages)[0] as { attachments: { id: string; filename: string }[] };
    expect(first.attachments.map((a) => a.filename).sort()).toEqual(['photo.txt', 'receipt.csv']);
    const file = await t.admin.get(`/api/v1/attachments/${first.attachments.find((a) => a.filename === 'receipt.csv')!.id}`);
    expect(file.body).toBe('order,total\nA-1001,30');
    await settle(t);
    expect((await deliveries(t, number))[0]).toMatchObject({ kind: 'acknowledgement' });
    expect(sink.mails.map((m) => m.envelope.to[0])).toContain('kim@customer.test');
  });

  it('limits submissions per IP address, with a page that says so', async () => {
    const from = newIp();
    const stamp = stampOf((await page('', from)).body);
    t.clock.advance(5_000);
    for (let i = 0; i < 5; i++) expect((await post('', fields(stamp, { subject: `Spam ${i}` }), from)).statusCode).toBe(201);
    const limited = await post('', fields(stamp, { subject: 'One too many' }), from);
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Too many requests were sent from your network');
    expect(limited.body).toContain('value="One too many"');
    // Another address is not affected.
    const other = newIp();
    expect((await post('', fields(stamp, { subject: 'From elsewhere' }), other)).statusCode).toBe(201);
  });
});
