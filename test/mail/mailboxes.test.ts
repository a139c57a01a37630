import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { postRaw, mail } from './mail-support.js';

describeEachDialect('mailboxes admin API', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let groupId: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent' });
    groupId = (await t.admin.post('/api/v1/groups', { name: 'Billing' })).json().id;
  });
  afterAll(() => t.close());

  it('creates a mailbox with brand and IMAP settings, lower-cases the address, never returns the password, and audits', async () => {
    const res = await t.admin.post('/api/v1/mailboxes', {
      address: 'Billing@Acme.TEST',
      displayName: 'Acme Billing',
      brand: { name: 'Acme', logoUrl: 'https://acme.test/logo.png', colour: '#112233', signature: 'The billing team' },
      defaultGroupId: groupId,
      imap: { host: 'imap.acme.test', port: 993, user: 'billing', password: 's3cret-imap', enabled: true },
    });
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json();
    expect(m).toMatchObject({
      address: 'billing@acme.test',
      displayName: 'Acme Billing',
      brand: { name: 'Acme', logoUrl: 'https://acme.test/logo.png', colour: '#112233', signature: 'The billing team' },
      defaultGroupId: groupId,
      active: true,
      imap: { host: 'imap.acme.test', port: 993, tls: true, user: 'billing', passwordSet: true, folder: 'INBOX', keepOnServer: true, enabled: true, state: 'idle', uidValidity: null, lastUid: null, consecutiveFailures: 0 },
    });
    for (const r of [res, await t.admin.get(`/api/v1/mailboxes/${m.id}`), await t.admin.get('/api/v1/mailboxes')]) expect(r.body).not.toContain('s3cret-imap');
    const audit = (await t.admin.get('/api/v1/audit-log?action=mailbox.created')).json();
    expect(JSON.stringify(audit)).not.toContain('s3cret-imap');
    expect(audit.items.some((a: { targetId: string }) => a.targetId === m.id)).toBe(true);
  });

  it('refuses a duplicate address in any case (409), plus addresses and bad fields (400 naming the field)', async () => {
    const first = await t.admin.post('/api/v1/mailboxes', { address: 'help@acme.test', displayName: 'Help' });
    expect(first.statusCode).toBe(201);
    const dup = await t.admin.post('/api/v1/mailboxes', { address: 'HELP@acme.test', displayName: 'Help again' });
    expect(dup.statusCode).toBe(409);
    const paths = async (body: object) => (await t.admin.post('/api/v1/mailboxes', body)).json().error.details.fields.map((f: { path: string }) => f.path);
    expect(await paths({ address: 'help+x@acme.test', displayName: 'x' })).toEqual(['body.address']);
    expect(await paths({ address: 'not-an-address', displayName: 'x' })).toEqual(['body.address']);
    expect(await paths({ address: 'c@acme.test', displayName: 'x', brand: { colour: 'red' } })).toEqual(['body.brand.colour']);
    expect(await paths({ address: 'c@acme.test', displayName: 'x', defaultGroupId: '0190a0a0-0000-7000-8000-000000000000' })).toEqual(['defaultGroupId']);
    expect(await paths({ address: 'c@acme.test', displayName: 'x', imap: { enabled: true, host: 'h' } })).toEqual(['imap.user']);
    // The host alone: a scheme, a port or a space failed only when polled.
    for (const host of ['a b', 'http://imap.example.com', 'imap.example.com:993', '[::1]', 'imap..example.com']) {
      expect(await paths({ address: 'c@acme.test', displayName: 'x', imap: { host } }), host).toEqual(['body.imap.host']);
    }
    for (const host of ['imap.example.com', '192.0.2.7', '2001:db8::7']) {
      const ok = await t.admin.post('/api/v1/mailboxes', { address: `ok-${host.replace(/[^a-z0-9]/g, '')}@acme.test`, displayName: 'x', imap: { host } });
      expect(ok.statusCode, host).toBe(201);
      const bad = await t.admin.patch(`/api/v1/mailboxes/${ok.json().id}`, { imap: { host: `${host} :993` } });
      expect(bad.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body.imap.host']);
    }
  });

  it('updates settings, keeps the password unless given, clears it with null, and 409s on an address taken', async () => {
    const m = (await t.admin.post('/api/v1/mailboxes', { address: 'sales@acme.test', displayName: 'Sales', brand: { name: 'Acme Sales', signature: 'Sales team' }, imap: { host: 'h', user: 'u', password: 'pw-one' } })).json();
    const upd = await t.admin.patch(`/api/v1/mailboxes/${m.id}`, { displayName: 'Sales Team', brand: { colour: '#abcdef' }, imap: { folder: 'Support' } });
    expect(upd.statusCode, upd.body).toBe(200);
    expect(upd.json()).toMatchObject({ displayName: 'Sales Team', brand: { colour: '#abcdef', name: 'Acme Sales', signature: 'Sales team' }, imap: { folder: 'Support', passwordSet: true, host: 'h' } });
    const cleared = await t.admin.patch(`/api/v1/mailboxes/${m.id}`, { imap: { password: null } });
    expect(cleared.json().imap.passwordSet).toBe(false);
    expect((await t.admin.patch(`/api/v1/mailboxes/${m.id}`, { address: 'help@acme.test' })).statusCode).toBe(409);
    const log = (await t.admin.get('/api/v1/audit-log?action=mailbox.updated')).json().items.filter((a: { targetId: string }) => a.targetId === m.id);
    expect(log.map((a: { data: { changed: string[] } }) => a.data.changed)).toContainEqual(['imap.password']);
  });

  it('is for admins only', async () => {
    expect((await agent.get('/api/v1/mailboxes')).statusCode).toBe(403);
    expect((await agent.post('/api/v1/mailboxes', { address: 'x@acme.test', displayName: 'x' })).statusCode).toBe(403);
    expect((await t.anonymous.get('/api/v1/mailboxes')).statusCode).toBe(401);
  });

  it('deletes a mailbox without mail; one that received mail must be deactivated instead, and then refuses mail', async () => {
    const empty = (await t.admin.post('/api/v1/mailboxes', { address: 'empty@acme.test', displayName: 'Empty' })).json();
    expect((await t.admin.delete(`/api/v1/mailboxes/${empty.id}`)).statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/mailboxes/${empty.id}`)).statusCode).toBe(404);
    const used = (await t.admin.post('/api/v1/mailboxes', { address: 'used@acme.test', displayName: 'Used' })).json();
    expect((await postRaw(t, mail({ from: 'a@customer.test', to: 'used@acme.test', subject: 'hi', messageId: '<used-1@c.test>' }), 'used@acme.test')).statusCode).toBe(202);
    expect((await t.admin.delete(`/api/v1/mailboxes/${used.id}`)).statusCode).toBe(409);
    expect((await t.admin.patch(`/api/v1/mailboxes/${used.id}`, { active: false })).json().active).toBe(false);
    const refused = await postRaw(t, mail({ from: 'a@customer.test', to: 'used@acme.test', subject: 'again', messageId: '<used-2@c.test>' }), 'used@acme.test');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0].path).toBe('mailbox');
  });
});
