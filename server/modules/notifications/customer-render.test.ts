import { describe, expect, it } from 'vitest';
import { renderCustomerMail } from './customer-render.js';
import { findRestrictedWords, normaliseWordList } from './customer-restricted-words.js';
import { DEFAULT_TEMPLATES } from './customer-templates.js';

const layout = { subject: '', html: '<main>{{ content | raw }}</main>', text: '{{ content }}' };

describe('customer mail rendering (Liquid)', () => {
  it('escapes values in HTML, passes marked-up bodies through, keeps text unescaped', async () => {
    const r = await renderCustomerMail(layout, { subject: 'About {{ s }}', html: '<p>{{ s }}</p>{{ body | raw }}', text: '{{ s }}' }, { s: '<b>"x" & y</b>', body: '<em>ok</em>' });
    expect(r.html).toBe('<main><p>&lt;b&gt;&#34;x&#34; &amp; y&lt;/b&gt;</p><em>ok</em></main>');
    expect(r.text).toBe('<b>"x" & y</b>');
    expect(r.subject).toBe('About <b>"x" & y</b>');
  });

  it('makes the subject one header line whatever the variables hold', async () => {
    const r = await renderCustomerMail(layout, { subject: '{{ s }}', html: 'x', text: 'x' }, { s: 'a\r\nBcc: m@evil.test' });
    expect(r.subject).toBe('a Bcc: m@evil.test');
  });

  it('makes the text alternative from the HTML when the template has none', async () => {
    const r = await renderCustomerMail({ subject: '', html: '{{ content | raw }}', text: '' }, { subject: 's', html: '<p>Hello <b>there</b></p><p>Second</p>', text: '' }, {});
    expect(r.text).toBe('Hello there\n\nSecond');
  });

  it('cannot read files or run forever', async () => {
    await expect(renderCustomerMail(layout, { subject: 's', html: "{% include '/etc/passwd' %}", text: '' }, {})).rejects.toThrow();
    await expect(renderCustomerMail(layout, { subject: 's', html: '{% for i in (1..100000000) %}{{ i }}{% endfor %}', text: 'x' }, {})).rejects.toThrow();
  });

  it('renders every built-in template with the variables it documents', async () => {
    const vars = {
      ticket: { number: 7, subject: 'S', status: 'resolved' },
      customer: { name: 'Carol C', first_name: 'Carol' },
      agent: { name: 'Alex' },
      mailbox: { address: 'support@acme.test', display_name: 'Acme Support' },
      brand: { name: '', logo_url: null, colour: '#123456', signature: 'Sig' },
      reply_marker: '##- reply above -##',
      message: { html: '<p>Body</p>', text: 'Body' },
      previous: { author: 'Carol', date: '2026-03-02T08:00:00.000Z', html: '<p>Q</p>', text: 'Q\nline 2' },
    };
    for (const key of ['acknowledgement', 'reply', 'status_waiting', 'status_resolved', 'status_closed'] as const) {
      const r = await renderCustomerMail(DEFAULT_TEMPLATES.layout, DEFAULT_TEMPLATES[key], vars);
      expect(r.subject, key).toContain('[#7]');
      expect(r.text, key).toContain('##- reply above -##');
      expect(r.text, key).toContain('Sig');
      expect(r.html, key).toContain('#123456');
    }
    const reply = await renderCustomerMail(DEFAULT_TEMPLATES.layout, DEFAULT_TEMPLATES.reply, vars);
    expect(reply.text).toContain('On March 2, 2026 08:00 UTC, Carol wrote:\n> Q\n> line 2');
    expect(reply.text).toContain('We consider this request resolved');
  });
});

describe('restricted words', () => {
  const words = ['refund', 'guaranteed delivery', 'ass', 'Überweisung'];
  it('finds whole words and phrases in any case and spacing, and nothing inside other words', () => {
    const hits = findRestrictedWords(words, [
      { where: 'subject', text: 'Refund?' },
      { where: 'body', text: 'No REFUNDS, but a refund. Guaranteed\n  delivery. First class. ÜBERWEISUNG heute.' },
    ]);
    expect(hits).toEqual([
      { word: 'refund', count: 2, where: ['subject', 'body'] },
      { word: 'guaranteed delivery', count: 1, where: ['body'] },
      { word: 'Überweisung', count: 1, where: ['body'] },
    ]);
  });

  it('stores a clean list: trimmed, single-spaced, no duplicates in any case', () => {
    expect(normaliseWordList([' Refund ', 'refund', 'guaranteed   delivery', '', 'REFUND'])).toEqual(['Refund', 'guaranteed delivery']);
  });
});
