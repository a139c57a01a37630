import { describe, expect, it } from 'vitest';
import { classifyMail } from '../../server/platform/mail/loop-classifier.js';
import { REPLY_ABOVE_MARKER, trimQuotedHtml, trimQuotedText } from '../../server/platform/mail/quote-trimmer.js';
import { extractMessageIds, parseHeaderText, readTopHeaders, stableMessageId } from '../../server/platform/mail/raw-headers.js';

const classify = (headers: string, from: string | null, subject = 'Hello', envelopeFrom?: string) =>
  classifyMail({ headers: parseHeaderText(headers), from, subject, envelopeFrom });

describe('loop and auto-reply classification (RFC 3834)', () => {
  const table: { name: string; headers: string; from?: string; subject?: string; envelopeFrom?: string; kind: string; suppress: boolean; keeps: boolean }[] = [
    { name: 'a person', headers: 'Auto-Submitted: no', kind: 'message', suppress: false, keeps: false },
    { name: 'Auto-Submitted: auto-replied', headers: 'Auto-Submitted: auto-replied', kind: 'auto_reply', suppress: true, keeps: true },
    { name: 'Auto-Submitted: auto-generated (alerts are work, never answered)', headers: 'Auto-Submitted: auto-generated', kind: 'bulk', suppress: true, keeps: false },
    { name: 'Precedence: bulk', headers: 'Precedence: bulk', kind: 'bulk', suppress: true, keeps: false },
    { name: 'Precedence: junk', headers: 'Precedence: junk', kind: 'bulk', suppress: true, keeps: false },
    { name: 'Precedence: list', headers: 'Precedence: list', kind: 'bulk', suppress: true, keeps: false },
    { name: 'empty Return-Path', headers: 'Return-Path: <>', kind: 'bulk', suppress: true, keeps: false },
    { name: 'SMTP null sender', headers: '', envelopeFrom: '', kind: 'bulk', suppress: true, keeps: false },
    { name: 'mailer-daemon with null sender', headers: 'Return-Path: <>', from: 'mailer-daemon@mx.test', kind: 'bounce', suppress: true, keeps: true },
    { name: 'postmaster sender', headers: '', from: 'postmaster@mx.test', kind: 'bounce', suppress: true, keeps: true },
    { name: 'X-Autoreply', headers: 'X-Autoreply: yes', kind: 'auto_reply', suppress: true, keeps: true },
    { name: 'X-Autorespond', headers: 'X-Autorespond: on', kind: 'auto_reply', suppress: true, keeps: true },
    { name: 'out-of-office subject', headers: '', subject: 'Out of Office: Re: [#5] Hi', kind: 'out_of_office', suppress: true, keeps: true },
    { name: 'Outlook automatic reply', headers: 'Auto-Submitted: auto-generated\nX-Auto-Response-Suppress: All', subject: 'Automatic reply: Invoice', kind: 'out_of_office', suppress: true, keeps: true },
    { name: 'German absence note', headers: '', subject: 'Abwesenheitsnotiz: Rechnung', kind: 'out_of_office', suppress: true, keeps: true },
    { name: 'delivery-status report', headers: 'Content-Type: multipart/report; report-type=delivery-status; boundary=x', kind: 'delivery_report', suppress: true, keeps: false },
    { name: 'mailing list headers', headers: 'List-Id: <news.example.test>', kind: 'bulk', suppress: true, keeps: false },
    { name: 'a subject that merely mentions an office', headers: '', subject: 'Our office printer is out of toner', kind: 'message', suppress: false, keeps: false },
  ];
  for (const c of table) {
    it(c.name, () => {
      const r = classify(c.headers, c.from ?? 'alice@customer.test', c.subject, c.envelopeFrom);
      expect({ kind: r.kind, suppress: r.suppressAutoReply, keeps: r.keepsTicketStatus }).toEqual({ kind: c.kind, suppress: c.suppress, keeps: c.keeps });
    });
  }
});

describe('quoted-reply trimming', () => {
  it('cuts a Gmail-style attribution and its quote, keeping the answer', () => {
    const r = trimQuotedText('Thanks, works now.\n\nOn Mon, 2 Mar 2026 at 09:00, Support <s@acme.test> wrote:\n> try again\n> bye\n');
    expect(r).toEqual({ value: 'Thanks, works now.', trimmed: true });
  });
  it('keeps answers written between quoted lines', () => {
    const text = 'On Mon, Bob wrote:\n> question one\nanswer one\n> question two\nanswer two';
    expect(trimQuotedText(text).trimmed).toBe(false);
  });
  it('cuts at our reply marker and at Outlook headers', () => {
    expect(trimQuotedText(`New text\n${REPLY_ABOVE_MARKER}\nold`).value).toBe('New text');
    expect(trimQuotedText('Ok!\n\nFrom: Support <s@acme.test>\nSent: Monday\nTo: me\nSubject: Hi\n\nold').value).toBe('Ok!');
    expect(trimQuotedText('Ok!\n-----Original Message-----\nold').value).toBe('Ok!');
  });
  it('never trims a forward, or a message that is only a quote', () => {
    expect(trimQuotedText('FYI\n---------- Forwarded message ---------\nFrom: a@b.test\nSent: x\nTo: y\n\nbody').trimmed).toBe(false);
    expect(trimQuotedText('> only a quote\n> here').trimmed).toBe(false);
  });
  it('cuts HTML at the quote container of common clients', () => {
    expect(trimQuotedHtml('<p>Yes</p><div class="gmail_quote">On ... wrote:<blockquote>old</blockquote></div>')).toEqual({ value: '<p>Yes</p>', trimmed: true });
    expect(trimQuotedHtml('<p>Yes</p><blockquote type="cite">old</blockquote>').value).toBe('<p>Yes</p>');
    expect(trimQuotedHtml('<div>Yes</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">From: x</div>old').value).toBe('<div>Yes</div>');
    expect(trimQuotedHtml('<div class="gmail_quote">only quote</div>').trimmed).toBe(false);
  });
});

describe('raw headers', () => {
  it('reads the Message-ID without parsing the body, and ids from In-Reply-To/References', () => {
    const raw = Buffer.from('Subject: x\r\nMessage-ID:\r\n <abc@host.test>\r\n\r\nMessage-ID: <body@not.header>\r\n');
    expect(readTopHeaders(raw).find((h) => h.key === 'message-id')?.value).toBe('<abc@host.test>');
    expect(extractMessageIds('<a@x> (comment) <b@y>  <a@x>')).toEqual(['<a@x>', '<b@y>']);
    expect(extractMessageIds('bare@id.test')).toEqual(['<bare@id.test>']);
  });
  it('gives a message without Message-ID a stable id from its bytes', () => {
    const a = stableMessageId(Buffer.from('hello'));
    expect(a).toMatch(/^<[0-9a-f]{64}@tessera\.local>$/);
    expect(stableMessageId(Buffer.from('hello'))).toBe(a);
    expect(stableMessageId(Buffer.from('hello!'))).not.toBe(a);
  });
});
