import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { setupSupportMailbox } from './mail-support.js';
import { deliveries, mailIn, put, reply, settle } from './outbound-support.js';

interface OutboxItem {
  id: string;
  kind: string;
  ticketNumber: number;
  status: string;
  transport: string;
  raw: string;
  rendered: { subject: string; text: string; html: string; to: { address: string }[]; autoSubmitted: string | null };
}

describeEachDialect('without a relay: the local outbox, editable templates with preview, restricted words', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    delete process.env.SMTP_URL;
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Alex Agent' });
    const { mailbox } = await setupSupportMailbox(t);
    await t.admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { brand: { name: 'Acme', colour: '#0a7c3e', signature: 'Acme Support, Main Street 1' } });
  });
  afterAll(() => t.close());

  const outbox = async (): Promise<OutboxItem[]> => {
    const res = await t.admin.get('/api/v1/mail/outbox?limit=100');
    if (res.statusCode !== 200) throw new Error(res.body);
    return res.json().items;
  };

  it('keeps mail in the local outbox, which admins read raw and rendered', async () => {
    const { number } = await mailIn(t, { from: 'Rita <rita@customer.test>', subject: 'Outbox please' });
    await settle(t);
    await reply(t, number, 'Kept locally.');
    await settle(t);
    const items = (await outbox()).filter((i) => i.ticketNumber === number);
    expect(items.map((i) => [i.kind, i.status, i.transport])).toEqual([
      ['reply', 'sent', 'local'],
      ['acknowledgement', 'sent', 'local'],
    ]);
    const r = items[0]!;
    expect(r.raw).toMatch(/^Content-Type: multipart\/alternative/im);
    expect(r.raw).toContain(`Subject: Re: Outbox please [#${number}]`);
    expect(r.rendered).toMatchObject({ subject: `Re: Outbox please [#${number}]`, to: [{ address: 'rita@customer.test' }], autoSubmitted: null });
    expect(r.rendered.text).toContain('Kept locally.');
    expect(items[1]!.rendered.autoSubmitted).toBe('auto-replied');
    const file = await t.admin.get(`/api/v1/mail/outbox/${r.id}/raw`);
    expect(file.headers['content-type']).toBe('message/rfc822');
    expect(file.body).toBe(r.raw);
    expect((await deliveries(t, number)).every((d) => d.transport === 'local' && d.status === 'sent')).toBe(true);
  });

  it('uses an admin\'s edited template for the next mail, and resets to the built-in one', async () => {
    const list = (await t.admin.get('/api/v1/customer-notifications/templates')).json().items;
    expect(list.map((x: { key: string }) => x.key)).toEqual(['layout', 'acknowledgement', 'reply', 'status_waiting', 'status_resolved', 'status_closed']);
    expect(list.every((x: { customized: boolean }) => !x.customized)).toBe(true);
    const saved = await put(t, '/api/v1/customer-notifications/templates/acknowledgement', {
      subject: 'Ticket {{ ticket.number }} opened for {{ customer.first_name }}',
      html: '<p>Hi {{ customer.name }}, we got "{{ ticket.subject }}". {{ brand.name }} cares.</p>',
      text: '',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ key: 'acknowledgement', customized: true });
    try {
      const { number } = await mailIn(t, { from: 'Sam Smith <sam@customer.test>', subject: '<b>bold</b> & co' });
      await settle(t);
      const ack = (await outbox()).find((i) => i.ticketNumber === number && i.kind === 'acknowledgement')!;
      // The token is added to a subject without one; values are escaped in HTML.
      expect(ack.rendered.subject).toBe(`Ticket ${number} opened for Sam [#${number}]`);
      expect(ack.rendered.html).toContain('we got "&lt;b&gt;bold&lt;/b&gt; &amp; co". Acme cares.');
      expect(ack.rendered.html).not.toContain('<b>bold</b>');
      // The text alternative is made from the HTML when the template has none.
      expect(ack.rendered.text).toContain('Hi Sam Smith, we got "<b>bold</b> & co". Acme cares.');
      expect(ack.rendered.text).toContain('Acme Support, Main Street 1');
    } finally {
      const reset = await t.admin.delete('/api/v1/customer-notifications/templates/acknowledgement');
      expect(reset.json()).toMatchObject({ customized: false, subject: 'We received your request: {{ ticket.subject }} [#{{ ticket.number }}]' });
    }
  });

  it('refuses a template that does not parse, naming the field, and never reads files', async () => {
    const broken = await put(t, '/api/v1/customer-notifications/templates/reply', { subject: 'Re: {{ ticket.subject', html: '<p>x</p>' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.details.fields[0].path).toBe('subject');
    const include = await t.admin.post('/api/v1/customer-notifications/templates/reply/preview', { html: "{% include '/etc/passwd' %}" });
    expect(include.statusCode).toBe(400);
    expect(include.body).not.toContain('root:');
    // Saved, a file tag failed every mail with the loader's lookup error: refused on save, naming the part.
    for (const [field, source] of [['html', '<p>{% render "x" %}</p>'], ['text', '{% include "x" %}'], ['subject', '{% layout "x" %}Re']]) {
      const files = await put(t, '/api/v1/customer-notifications/templates/reply', { subject: 'Re: {{ ticket.subject }}', html: '<p>x</p>', [field!]: source });
      expect(files.statusCode).toBe(400);
      expect(files.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual([field]);
      expect(files.body).not.toMatch(/ENOENT|lookup/);
    }
    const layout = await put(t, '/api/v1/customer-notifications/templates/layout', { html: '<html>no body here</html>' });
    expect(layout.statusCode).toBe(400);
    expect((await agent.post('/api/v1/customer-notifications/templates/reply/preview', {})).statusCode).toBe(403);
  });

  it('previews a template with unsaved text, on sample data or a real ticket', async () => {
    const sample = await t.admin.post('/api/v1/customer-notifications/templates/status_resolved/preview', { subject: 'Done: {{ ticket.subject }}' });
    expect(sample.statusCode, sample.body).toBe(200);
    expect(sample.json()).toMatchObject({ subject: 'Done: The printer in room 4 is on fire [#1042]' });
    expect(sample.json().html).toContain('#0a7c3e');
    expect(sample.json().text).toContain('has been resolved');
    const { number } = await mailIn(t, { from: 'Tom <tom@customer.test>', subject: 'Real one' });
    const real = await t.admin.post('/api/v1/customer-notifications/templates/layout/preview', { ticketNumber: number, html: '<div style="color:{{ brand.colour }}">{{ content | raw }}</div>' });
    expect(real.statusCode, real.body).toBe(200);
    expect(real.json().html).toMatch(/^<div style="color:#0a7c3e">/);
    expect(real.json().to).toEqual([{ name: 'Tom', address: 'tom@customer.test' }]);
    expect(real.json().replyTo.address).toMatch(new RegExp(`^support\\+${number}-[0-9a-f]{20}@acme\\.test$`));
    // Nothing was stored by the preview.
    expect((await t.admin.get('/api/v1/customer-notifications/templates/layout')).json().customized).toBe(false);
  });

  it('previews a reply as the customer would get it and flags restricted words, sending nothing', async () => {
    const words = await put(t, '/api/v1/customer-notifications/restricted-words', { words: ['refund', 'Refund', ' guaranteed  delivery ', 'ass'] });
    expect(words.json()).toEqual({ words: ['ass', 'guaranteed delivery', 'refund'] });
    expect((await agent.get('/api/v1/customer-notifications/restricted-words')).json().words).toHaveLength(3);
    const { number } = await mailIn(t, { from: 'Una <una@customer.test>', subject: 'Refund question', cc: 'vic@customer.test' });
    await settle(t);
    const before = (await deliveries(t, number)).length;
    const res = await agent.post(`/api/v1/tickets/${number}/reply-preview`, { body: 'A REFUND is possible. Guaranteed\ndelivery by Friday. Our class is first.', setStatus: 'resolved' });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ subject: `Re: Refund question [#${number}]`, willSend: true, reason: null, to: [{ name: 'Una', address: 'una@customer.test' }], cc: [{ address: 'vic@customer.test' }] });
    expect(p.restrictedWords).toEqual([
      { word: 'guaranteed delivery', count: 1, where: ['body'] },
      { word: 'refund', count: 2, where: ['subject', 'body'] },
    ]);
    expect(p.text).toContain('A REFUND is possible.');
    expect(p.text).toContain('We consider this request resolved');
    expect(p.text).toContain('Alex Agent');
    expect(p.html).toContain('<p>A REFUND is possible. Guaranteed<br>delivery by Friday. Our class is first.</p>');
    expect((await deliveries(t, number)).length).toBe(before);
    // Replies switched off: the preview says so.
    await t.admin.patch('/api/v1/customer-notifications/settings', { enabled: { reply: false } });
    try {
      const off = (await agent.post(`/api/v1/tickets/${number}/reply-preview`, { body: 'x' })).json();
      expect(off).toMatchObject({ willSend: false, reason: 'reply emails are switched off for this mailbox' });
      await reply(t, number, 'Not mailed.');
      await settle(t);
      expect((await deliveries(t, number)).some((d) => d.kind === 'reply')).toBe(false);
    } finally {
      await t.admin.patch('/api/v1/customer-notifications/settings', { enabled: { reply: true } });
    }
  });
});
