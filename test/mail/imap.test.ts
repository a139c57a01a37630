import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { hasDovecot, startDovecot, type Dovecot } from './dovecot.js';
import { inbound, mail, messagesOf, postRaw, type MailboxJson } from './mail-support.js';
import { settle } from './outbound-support.js';

interface ImapJson {
  state: string;
  uidValidity: number | null;
  lastUid: number | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  tlsVerify: boolean;
  warnings: string[];
}

describeEachDialect('IMAP polling against a real Dovecot', (dialect) => {
  let t: TestApp;
  let dovecot: Dovecot;
  beforeAll(async () => {
    if (!hasDovecot()) throw new Error('Dovecot is not installed: apt-get install dovecot-imapd (.ci/run does)');
    dovecot = await startDovecot({ support: 'imap-pass-1', help: 'imap-pass-2', secure: 'imap-pass-3' });
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
    await dovecot?.stop();
  });

  const createMailbox = async (address: string, imap: Record<string, unknown>): Promise<MailboxJson> => {
    const res = await t.admin.post('/api/v1/mailboxes', { address, displayName: address, imap: { host: '127.0.0.1', port: dovecot.port, tls: false, enabled: true, ...imap } });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json();
  };
  const poll = async (id: string): Promise<ImapJson> => {
    const res = await t.admin.post(`/api/v1/mailboxes/${id}/poll`);
    if (res.statusCode !== 200) throw new Error(`poll: ${res.statusCode} ${res.body}`);
    return res.json().imap;
  };
  const imapRows = async () => (await t.admin.get('/api/v1/mail/inbound?limit=200')).json().items.filter((r: { source: string }) => r.source === 'imap') as { id: string; messageId: string; mailboxId: string }[];

  it('fetches what arrived after the UIDVALIDITY/UID cursor, files each message once, and keeps them on the server', async () => {
    const box = await createMailbox('support@acme.test', { user: 'support', password: 'imap-pass-1', keepOnServer: true });
    await dovecot.append('support', mail({ from: 'Ann <ann@customer.test>', subject: 'First by IMAP', messageId: '<imap-1@customer.test>', body: 'One' }));
    await dovecot.append('support', mail({ from: 'bob@customer.test', subject: 'Second by IMAP', messageId: '<imap-2@customer.test>', body: 'Two' }));
    const first = await poll(box.id);
    expect(first).toMatchObject({ state: 'ok', lastUid: 2, lastError: null, consecutiveFailures: 0 });
    expect(first.uidValidity).toBeGreaterThan(0);
    expect(first.warnings.join(' ')).toContain('WITHOUT TLS');
    await settle(t);
    const rows = await imapRows();
    expect(rows.map((r) => r.messageId).sort()).toEqual(['<imap-1@customer.test>', '<imap-2@customer.test>']);
    const detail = await inbound(t, rows.find((r) => r.messageId === '<imap-1@customer.test>')!.id);
    expect(detail).toMatchObject({ status: 'processed', source: 'imap', mailboxId: box.id });
    const ticket = (await t.admin.get(`/api/v1/tickets/${detail.ticketNumber}`)).json();
    expect(ticket).toMatchObject({ subject: 'First by IMAP', channel: 'email', requester: { email: 'ann@customer.test' } });

    // Only the new message is fetched next time; the old ones stay on the server.
    await dovecot.append('support', mail({ from: 'cyd@customer.test', subject: 'Third by IMAP', messageId: '<imap-3@customer.test>' }));
    expect(await poll(box.id)).toMatchObject({ state: 'ok', lastUid: 3, uidValidity: first.uidValidity });
    expect(await poll(box.id)).toMatchObject({ state: 'ok', lastUid: 3 });
    expect((await imapRows()).length).toBe(3);
    expect(await dovecot.count('support')).toBe(3);
  });

  it('deletes fetched messages on the server when the mailbox does not keep them', async () => {
    const box = await createMailbox('help@acme.test', { user: 'help', password: 'imap-pass-2', keepOnServer: false });
    for (let i = 1; i <= 3; i++) await dovecot.append('help', mail({ from: `d${i}@customer.test`, to: 'help@acme.test', subject: `Delete me ${i}`, messageId: `<del-${i}@customer.test>` }));
    expect(await poll(box.id)).toMatchObject({ state: 'ok', lastUid: 3 });
    expect(await dovecot.count('help')).toBe(0);
    await settle(t);
    expect((await imapRows()).filter((r) => r.mailboxId === box.id)).toHaveLength(3);
  });

  it('keeps one message when the same mail comes by the API (or SMTP) and by IMAP', async () => {
    const box = (await t.admin.get('/api/v1/mailboxes')).json().items.find((m: MailboxJson) => m.address === 'support@acme.test') as MailboxJson;
    const raw = mail({ from: 'eve@customer.test', subject: 'Both ways', messageId: '<both@customer.test>', body: 'Sent once, delivered twice' });
    expect((await postRaw(t, raw)).statusCode).toBe(202);
    await settle(t);
    await dovecot.append('support', raw);
    await poll(box.id);
    await settle(t);
    const rows = (await t.admin.get('/api/v1/mail/inbound?limit=200')).json().items.filter((r: { messageId: string }) => r.messageId === '<both@customer.test>');
    expect(rows).toHaveLength(1);
    const detail = await inbound(t, rows[0].id);
    expect(detail.deliveries).toBe(2);
    expect(await messagesOf(t, detail.ticketNumber!)).toHaveLength(1);
  });

  it('shows an authentication failure loudly, and the schedule still polls the other mailboxes', async () => {
    const broken = await createMailbox('broken@acme.test', { user: 'support', password: 'wrong-password' });
    const failed = await poll(broken.id);
    expect(failed).toMatchObject({ state: 'auth_failed', consecutiveFailures: 1 });
    expect(failed.lastError).toMatch(/authentication failed/i);
    expect(failed.lastErrorAt).not.toBeNull();
    expect(failed.warnings[0]).toMatch(/^IMAP authentication FAILED/);

    await dovecot.append('help', mail({ from: 'fred@customer.test', to: 'help@acme.test', subject: 'While another mailbox fails', messageId: '<sched-1@customer.test>' }));
    // The periodic job (JobRunner.every): both mailboxes are due again after the first backoff step.
    t.clock.advance(61_000);
    await t.deps.jobs.start();
    try {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !(await imapRows()).some((r) => r.messageId === '<sched-1@customer.test>')) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await t.deps.jobs.stop();
    }
    expect((await imapRows()).some((r) => r.messageId === '<sched-1@customer.test>')).toBe(true);
    const list = (await t.admin.get('/api/v1/mailboxes')).json().items as (MailboxJson & { imap: ImapJson })[];
    expect(list.find((m) => m.id === broken.id)!.imap).toMatchObject({ state: 'auth_failed', consecutiveFailures: 2 });
    expect(list.find((m) => m.address === 'help@acme.test')!.imap).toMatchObject({ state: 'ok', lastUid: 4 });
  });

  it('verifies the server certificate unless an admin turns that off, and then warns about it', async () => {
    await dovecot.append('secure', mail({ from: 'gil@customer.test', to: 'secure@acme.test', subject: 'Over IMAPS', messageId: '<tls-1@customer.test>' }));
    const box = await createMailbox('secure@acme.test', { user: 'secure', password: 'imap-pass-3', tls: true, port: dovecot.tlsPort });
    expect(box.imap).toMatchObject({ tls: true, tlsVerify: true, warnings: [] });
    const refused = await poll(box.id);
    expect(refused).toMatchObject({ state: 'error', lastUid: null });
    expect(refused.lastError).toMatch(/self[- ]signed certificate/i);
    const off = await t.admin.patch(`/api/v1/mailboxes/${box.id}`, { imap: { tlsVerify: false } });
    expect(off.json().imap.warnings.join(' ')).toContain('certificate verification is OFF');
    expect(await poll(box.id)).toMatchObject({ state: 'ok', lastUid: 1, consecutiveFailures: 0 });
    const audit = (await t.admin.get('/api/v1/audit-log?action=mailbox.updated')).json().items;
    expect(JSON.stringify(audit)).toContain('imap.tlsVerify');
  });
});
