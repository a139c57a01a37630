import { describe, expect, it } from 'vitest';
import { composeMail, headerText, isSafeAddress, referencesChain, type ComposeInput } from '../../server/platform/mail/mail-composer.js';
import { parseMail } from '../../server/platform/mail/mime-parser.js';
import { parseHeaderText } from '../../server/platform/mail/raw-headers.js';

const base: ComposeInput = {
  messageId: '<tessera.1@acme.test>',
  from: { name: 'Acme Support', address: 'support@acme.test' },
  replyTo: { name: 'Acme Support', address: 'support+1-abc@acme.test' },
  to: [{ name: 'Carol', address: 'carol@customer.test' }],
  cc: [],
  subject: 'Hello [#1]',
  html: '<p>Hi</p>',
  text: 'Hi',
  inReplyTo: '<in-1@customer.test>',
  references: ['<in-1@customer.test>'],
  date: new Date('2026-03-02T09:00:00Z'),
  automatic: false,
  attachments: [],
};

const headersOf = (raw: Buffer) => parseHeaderText(raw.subarray(0, raw.indexOf('\r\n\r\n')).toString());

describe('outbound MIME and its header guards', () => {
  it('flattens anything that could end a header line', () => {
    expect(headerText('a\r\nBcc: x@y.test')).toBe('a Bcc: x@y.test');
    expect(headerText('a\u2028b\u0085c\u0000d\te')).toBe('a b c d e');
    expect(headerText('x'.repeat(2000))).toHaveLength(900);
  });

  it('accepts plain addresses only', () => {
    for (const ok of ['carol@customer.test', "o'brien+tag@mail.example.co.uk"]) expect(isSafeAddress(ok), ok).toBe(true);
    for (const bad of ['carol@customer.test\r\nBcc: m@evil.test', 'a b@c.test', '"quoted"@c.test', 'carol@customer.test, m@evil.test', '<a@b.test>', 'a@b', 'ünï@code.test', 'a..b@c.test', 'a@-c.test']) {
      expect(isSafeAddress(bad), bad).toBe(false);
    }
  });

  it('refuses to compose with an unsafe recipient rather than guess', async () => {
    await expect(composeMail({ ...base, to: [{ name: 'x', address: 'a@b.test\r\nBcc: m@evil.test' }] })).rejects.toThrow(/unsafe mail address/);
    await expect(composeMail({ ...base, messageId: '<a b@c>' })).rejects.toThrow(/Message-ID/);
    await expect(composeMail({ ...base, headers: { 'Bcc': 'x' } })).rejects.toThrow(/header name/);
  });

  it('keeps names, subjects and header values on one line each', async () => {
    const raw = await composeMail({ ...base, subject: 'Hi\r\nBcc: m@evil.test', to: [{ name: 'Eve\r\nBcc: m@evil.test', address: 'eve@customer.test' }], headers: { 'X-Tessera-Ticket': '1\r\nX-Evil: 1' } });
    const keys = headersOf(raw).map((h) => h.key);
    expect(keys).not.toContain('bcc');
    expect(keys).not.toContain('x-evil');
    const parsed = await parseMail(raw);
    expect(parsed.subject).toBe('Hi Bcc: m@evil.test');
    expect(parsed.to).toEqual([{ name: 'Eve Bcc: m@evil.test', address: 'eve@customer.test' }]);
  });

  it('marks automatic mail as RFC 3834 asks, and only that', async () => {
    const auto = headersOf(await composeMail({ ...base, automatic: true }));
    expect(auto.find((h) => h.key === 'auto-submitted')?.value).toBe('auto-replied');
    expect(auto.find((h) => h.key === 'x-auto-response-suppress')?.value).toBe('All');
    expect(headersOf(await composeMail(base)).some((h) => h.key === 'auto-submitted')).toBe(false);
  });

  it('keeps the first and the newest ids of a long References chain, dropping malformed ones', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `<m${i}@x.test>`);
    const chain = referencesChain([...ids, 'not an id'], 20);
    expect(chain).toHaveLength(20);
    expect(chain[0]).toBe('<m0@x.test>');
    expect(chain[19]).toBe('<m29@x.test>');
    expect(chain).not.toContain('not an id');
  });
});
