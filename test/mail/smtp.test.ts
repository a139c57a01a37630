import { connect } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInboundSmtp } from '../../server/modules/channels/index.js';
import type { SmtpListener } from '../../server/platform/mail/smtp-listener.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { FIXTURES, inbound, messagesOf, postRaw, setupSupportMailbox } from './mail-support.js';

const TLS = { keyFile: join(FIXTURES, 'tls/test-key.pem'), certFile: join(FIXTURES, 'tls/test-cert.pem') };
const MAX = 200 * 1024;

describeEachDialect('inbound SMTP with a real client (nodemailer)', (dialect) => {
  let t: TestApp;
  let smtp: SmtpListener;
  let transport: Transporter;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await setupSupportMailbox(t);
    smtp = await startInboundSmtp({ db: t.deps.database.db, clock: t.deps.clock, events: t.deps.events }, { smtpHost: '127.0.0.1', smtpPort: 0, maxMailBytes: MAX, tls: TLS, hostname: 'mx.acme.test' });
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, tls: { rejectUnauthorized: false } });
  });
  afterAll(async () => {
    transport.close();
    await smtp.close();
    await t.close();
  });

  const stored = async () => (await t.admin.get('/api/v1/mail/inbound?limit=200')).json().items as { id: string; messageId: string; status: string }[];

  it('accepts mail for a mailbox only after storing it, and files it as a ticket', async () => {
    const info = await transport.sendMail({ from: 'Hugo Hart <hugo@customer.test>', to: 'support@acme.test', subject: 'Sent over SMTP', text: 'Hello over the wire', messageId: '<smtp-1@customer.test>' });
    expect(info.response).toMatch(/^250 /);
    expect(info.accepted).toEqual(['support@acme.test']);
    // 250 came after the commit: the row is already visible to another connection.
    const row = (await stored()).find((r) => r.messageId === '<smtp-1@customer.test>');
    expect(row?.status).toBe('pending');
    await t.deps.jobs.drain();
    const detail = await inbound(t, row!.id);
    expect(detail).toMatchObject({ status: 'processed', source: 'smtp', envelope: { mailFrom: 'hugo@customer.test', rcptTo: ['support@acme.test'] } });
    const ticket = (await t.admin.get(`/api/v1/tickets/${detail.ticketNumber}`)).json();
    expect(ticket).toMatchObject({ subject: 'Sent over SMTP', channel: 'email', requester: { email: 'hugo@customer.test', name: 'Hugo Hart' } });
    expect((await messagesOf(t, ticket.number))[0]!.bodyText).toContain('Hello over the wire');
  });

  it('NUL bytes in the headers still get a 250 and the mail is filed; in HELO or MAIL FROM they are refused for good (501)', async () => {
    // Spoken by hand over a plain socket: no real client library would send these bytes.
    const socket = connect(smtp.port, '127.0.0.1');
    socket.setEncoding('latin1');
    let heard = '';
    socket.on('data', (d: string) => (heard += d));
    const reply = async (code: string) => {
      await expect.poll(() => heard, { timeout: 5000 }).toMatch(new RegExp(`(^|\\n)${code}[ -][^\\n]*\\n$`));
      const last = heard;
      heard = '';
      return last;
    };
    const say = (line: string) => socket.write(`${line}\r\n`, 'latin1');
    await reply('220');
    say('EHLO bro\u0000ken.test');
    await reply('501');
    say('EHLO client.test');
    await reply('250');
    say('MAIL FROM:<nul\u0000sender@customer.test>');
    await reply('501');
    say('MAIL FROM:<nulsender@customer.test>');
    await reply('250');
    say('RCPT TO:<support@acme.test>');
    await reply('250');
    say('DATA');
    await reply('354');
    say('From: Nul Sender <nul\u0000sender@customer.test>\r\nTo: support@acme.test\r\nSubject: Null\u0000bytes\r\nMessage-ID: <smtp-nul\u0000@customer.test>\r\n\r\nBody\r\n.');
    expect(await reply('250')).toMatch(/^250 /);
    say('QUIT');
    socket.end();
    const row = (await stored()).find((r) => r.messageId === '<smtp-nul@customer.test>');
    expect(row?.status).toBe('pending');
    await t.deps.jobs.drain();
    const detail = await inbound(t, row!.id);
    expect(detail).toMatchObject({ status: 'processed', envelope: { mailFrom: 'nulsender@customer.test', rcptTo: ['support@acme.test'] } });
    expect((await t.admin.get(`/api/v1/tickets/${detail.ticketNumber}`)).json()).toMatchObject({ requester: { email: 'nulsender@customer.test' } });
  });

  it('refuses recipients that are not an active mailbox with 550, and accepts +tag reply addresses', async () => {
    const err = await transport.sendMail({ from: 'x@customer.test', to: 'stranger@acme.test', subject: 'x', text: 'x' }).then(
      () => null,
      (e: { responseCode?: number; rejected?: string[] }) => e,
    );
    expect(err?.responseCode).toBe(550);
    expect(err?.rejected).toEqual(['stranger@acme.test']);
    const mixed = await transport.sendMail({ from: 'x@customer.test', to: ['support+anything@acme.test', 'stranger@acme.test'], subject: 'Mixed', text: 'x', messageId: '<mixed@customer.test>' });
    expect(mixed.accepted).toEqual(['support+anything@acme.test']);
    expect(mixed.rejected).toEqual(['stranger@acme.test']);
    // Known routes are cached, yet a mailbox made or deactivated a moment ago takes or refuses mail at once.
    const send = (to: string) => transport.sendMail({ from: 'x@customer.test', to, subject: 'Route', text: 'x' }).then((i) => i.accepted, (e: { responseCode?: number }) => e.responseCode);
    const sales = (await t.admin.post('/api/v1/mailboxes', { address: 'sales-route@acme.test', displayName: 'Sales' })).json();
    expect(await send('sales-route@acme.test')).toEqual(['sales-route@acme.test']);
    expect((await t.admin.patch(`/api/v1/mailboxes/${sales.id}`, { active: false })).statusCode).toBe(200);
    expect(await send('sales-route+x@acme.test')).toBe(550);
    expect((await t.admin.patch(`/api/v1/mailboxes/${sales.id}`, { active: true })).statusCode).toBe(200);
    expect(await send('sales-route@acme.test')).toEqual(['sales-route@acme.test']);
  });

  it('answers 552 for a message over the size limit and stores nothing', async () => {
    const before = (await stored()).length;
    const err = await transport.sendMail({ from: 'x@customer.test', to: 'support@acme.test', subject: 'big', text: 'y'.repeat(MAX + 10_000) }).then(
      () => null,
      (e: { responseCode?: number }) => e,
    );
    expect(err?.responseCode).toBe(552);
    expect((await stored()).length).toBe(before);
  });

  it('the same message delivered twice by SMTP and once by the API is one ticket message', async () => {
    const raw = ['From: Ina <ina@customer.test>', 'To: support@acme.test', 'Subject: Thrice', 'Message-ID: <thrice@customer.test>', '', 'Same message, three deliveries.', ''].join('\r\n');
    for (let i = 0; i < 2; i++) {
      const info = await transport.sendMail({ envelope: { from: 'ina@customer.test', to: ['support@acme.test'] }, raw });
      expect(info.response).toMatch(/^250 /);
    }
    expect((await postRaw(t, raw)).json().duplicate).toBe(true);
    await t.deps.jobs.drain();
    const rows = (await stored()).filter((r) => r.messageId === '<thrice@customer.test>');
    expect(rows).toHaveLength(1);
    const detail = await inbound(t, rows[0]!.id);
    expect(detail.deliveries).toBe(3);
    expect(await messagesOf(t, detail.ticketNumber!)).toHaveLength(1);
  });

  it('offers STARTTLS with the configured certificate and records that the session was encrypted', async () => {
    const secure = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    try {
      await secure.sendMail({ from: 'jo@customer.test', to: 'support@acme.test', subject: 'Over TLS', text: 'secret', messageId: '<tls@customer.test>' });
    } finally {
      secure.close();
    }
    const row = (await stored()).find((r) => r.messageId === '<tls@customer.test>')!;
    expect((await inbound(t, row.id)).envelope).toMatchObject({ tls: true });
  });

  it('records a null envelope sender as a loop signal so no automatic reply goes back', async () => {
    await transport.sendMail({ envelope: { from: '', to: ['support@acme.test'] }, from: 'notices@vendor.test', to: 'support@acme.test', subject: 'Notice', text: 'automated', messageId: '<null-sender@vendor.test>' });
    await t.deps.jobs.drain();
    const row = (await stored()).find((r) => r.messageId === '<null-sender@vendor.test>')!;
    const d = await inbound(t, row.id);
    expect(d).toMatchObject({ suppressAutoReply: true, envelope: { mailFrom: '' } });
    expect(d.loopSignals).toContain('null-sender');
  });

  it('answers 451 when the message cannot be stored, so the client retries; then 250 once it can', async () => {
    const db = t.deps.database.db;
    await sql`ALTER TABLE inbound_mail RENAME TO inbound_mail_away`.execute(db);
    let err: { responseCode?: number } | null;
    try {
      err = await transport.sendMail({ from: 'kai@customer.test', to: 'support@acme.test', subject: 'Retry me', text: 'x', messageId: '<retry@customer.test>' }).then(
        () => null,
        (e: { responseCode?: number }) => e,
      );
    } finally {
      await sql`ALTER TABLE inbound_mail_away RENAME TO inbound_mail`.execute(db);
    }
    expect(err?.responseCode).toBe(451);
    const again = await transport.sendMail({ from: 'kai@customer.test', to: 'support@acme.test', subject: 'Retry me', text: 'x', messageId: '<retry@customer.test>' });
    expect(again.response).toMatch(/^250 /);
    expect((await stored()).filter((r) => r.messageId === '<retry@customer.test>')).toHaveLength(1);
  });
});
