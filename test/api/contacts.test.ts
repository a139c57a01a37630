import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

interface ContactJson {
  id: string;
  name: string;
  emails: string[];
  phones: string[];
  organizationId: string | null;
  vip: boolean;
  notes: string;
}

describeEachDialect('contacts and organizations API', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Carl Contacts' });
  });
  afterAll(() => t.close());

  const fieldPaths = (res: { json(): { error: { details?: { fields?: { path: string }[] } } } }) => (res.json().error.details?.fields ?? []).map((f) => f.path);

  it('keeps several emails and phones, normalising phones to digits with a leading +', async () => {
    const res = await agent.post('/api/v1/contacts', {
      name: 'Polly Phones',
      emails: ['Polly@Example.test', 'polly.work@corp.test'],
      phones: ['+1 (555) 010-2000', '030 / 123.456'],
      vip: true,
      notes: 'Prefers phone calls',
    });
    expect(res.statusCode).toBe(201);
    const c = res.json() as ContactJson;
    expect(c).toMatchObject({
      name: 'Polly Phones',
      emails: ['polly@example.test', 'polly.work@corp.test'],
      phones: ['+15550102000', '030123456'],
      vip: true,
      notes: 'Prefers phone calls',
      organizationId: null,
    });
    const got = (await agent.get(`/api/v1/contacts/${c.id}`)).json();
    expect(got).toMatchObject({ emails: c.emails, phones: c.phones, vip: true, notes: 'Prefers phone calls' });
    // The same number written differently belongs to the same contact: a second contact cannot claim it.
    const dup = await agent.post('/api/v1/contacts', { name: 'Copy Cat', phones: ['+15550102000'] });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: 'conflict', details: { field: 'phones', contactId: c.id } });
    const dup2 = await agent.post('/api/v1/contacts', { name: 'Copy Cat', phones: ['+1 555 010 2000'] });
    expect(dup2.statusCode).toBe(409);
    // Search finds the contact by the number however it is written.
    const byDigits = (await agent.get(`/api/v1/contacts?q=${encodeURIComponent('+15550102000')}`)).json().items.map((x: ContactJson) => x.id);
    expect(byDigits).toEqual([c.id]);
    const byFormatted = (await agent.get(`/api/v1/contacts?q=${encodeURIComponent('+1 (555) 010-2000')}`)).json().items.map((x: ContactJson) => x.id);
    expect(byFormatted).toEqual([c.id]);
  });

  it('refuses an email that belongs to another contact (409), in any case, on create and update', async () => {
    const a = (await agent.post('/api/v1/contacts', { name: 'Ann Original', emails: ['ann@dup.test'] })).json() as ContactJson;
    const b = (await agent.post('/api/v1/contacts', { name: 'Bob Other', emails: ['bob@dup.test'] })).json() as ContactJson;
    const create = await agent.post('/api/v1/contacts', { name: 'Ann Copy', emails: ['ANN@dup.test'] });
    expect(create.statusCode).toBe(409);
    expect(create.json().error).toMatchObject({ code: 'conflict', details: { field: 'emails', contactId: a.id } });
    const update = await agent.patch(`/api/v1/contacts/${b.id}`, { emails: ['bob@dup.test', 'ann@dup.test'] });
    expect(update.statusCode).toBe(409);
    expect((await agent.get(`/api/v1/contacts/${b.id}`)).json().emails).toEqual(['bob@dup.test']);
    // After Ann gives the address up, Bob can take it; a ticket to it then lands on Bob.
    expect((await agent.patch(`/api/v1/contacts/${a.id}`, { emails: ['ann.new@dup.test'] })).json().emails).toEqual(['ann.new@dup.test']);
    const moved = await agent.patch(`/api/v1/contacts/${b.id}`, { emails: ['bob@dup.test', 'ann@dup.test'] });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().emails).toEqual(['bob@dup.test', 'ann@dup.test']);
    const tk = await createTicket(agent, { requester: { email: 'ann@dup.test', name: 'Whoever' } });
    expect(tk.requester).toMatchObject({ id: b.id, name: 'Bob Other', email: 'bob@dup.test' });
  });

  it('a new contact whose email domain matches an organization joins it; tickets carry the organization', async () => {
    const org = await t.admin.post('/api/v1/organizations', { name: 'Acme Rockets', domains: ['ACME.test', 'acme-rockets.test'], vip: true, notes: 'Key account' });
    expect(org.statusCode).toBe(201);
    expect(org.json()).toMatchObject({ name: 'Acme Rockets', domains: ['acme.test', 'acme-rockets.test'], vip: true, notes: 'Key account' });
    const orgId = org.json().id as string;
    expect((await agent.post('/api/v1/organizations', { name: 'acme rockets' })).statusCode).toBe(409);

    const joined = (await agent.post('/api/v1/contacts', { name: 'Wile E.', emails: ['wile@acme.test'] })).json() as ContactJson;
    expect(joined.organizationId).toBe(orgId);
    const second = (await agent.post('/api/v1/contacts', { name: 'Road Runner', emails: ['rr@acme-rockets.test'] })).json() as ContactJson;
    expect(second.organizationId).toBe(orgId);
    const outsider = (await agent.post('/api/v1/contacts', { name: 'Outsider', emails: ['out@notacme.test'] })).json() as ContactJson;
    expect(outsider.organizationId).toBeNull();
    // A subdomain is a different domain.
    const sub = (await agent.post('/api/v1/contacts', { name: 'Sub Domain', emails: ['x@mail.acme.test'] })).json() as ContactJson;
    expect(sub.organizationId).toBeNull();

    const tk = await createTicket(agent, { requester: { email: 'new.hire@acme.test', name: 'New Hire' } });
    expect(tk.organizationId).toBe(orgId);
    const hire = (await agent.get('/api/v1/contacts?q=new.hire')).json().items as ContactJson[];
    expect(hire.map((c) => c.organizationId)).toEqual([orgId]);

    const members = (await agent.get(`/api/v1/contacts?organizationId=${orgId}`)).json().items.map((c: ContactJson) => c.name);
    expect(members.sort()).toEqual(['New Hire', 'Road Runner', 'Wile E.']);
    const inFilter = (await agent.get(`/api/v1/tickets?q=${encodeURIComponent('org:"Acme Rockets"')}`)).json().items.map((x: { number: number }) => x.number);
    expect(inFilter).toEqual([tk.number]);
  });

  it('updates organizations and explicit membership; only admins delete organizations', async () => {
    const org = (await agent.post('/api/v1/organizations', { name: 'Globex', domains: ['globex.test'] })).json();
    const c = (await agent.post('/api/v1/contacts', { name: 'Hank', emails: ['hank@elsewhere.test'], organizationId: org.id })).json() as ContactJson;
    expect(c.organizationId).toBe(org.id);
    const upd = await agent.patch(`/api/v1/organizations/${org.id}`, { domains: ['globex.test', 'globex-corp.test'], vip: true });
    expect(upd.json()).toMatchObject({ name: 'Globex', domains: ['globex.test', 'globex-corp.test'], vip: true });
    expect((await agent.get(`/api/v1/organizations/${org.id}`)).json().vip).toBe(true);
    const joined = (await agent.post('/api/v1/contacts', { emails: ['late@globex-corp.test'] })).json() as ContactJson;
    expect(joined).toMatchObject({ organizationId: org.id, name: 'late' });
    const left = await agent.patch(`/api/v1/contacts/${c.id}`, { organizationId: null });
    expect(left.json().organizationId).toBeNull();
    const tk = await createTicket(agent, { requester: { email: 'late@globex-corp.test' } });
    expect(tk.organizationId).toBe(org.id);
    expect((await agent.delete(`/api/v1/organizations/${org.id}`)).statusCode).toBe(403);
    expect((await t.admin.delete(`/api/v1/organizations/${org.id}`)).statusCode).toBe(200);
    expect((await agent.get(`/api/v1/organizations/${org.id}`)).statusCode).toBe(404);
    // Its contacts stay, without the organization; so do its tickets, each saying why.
    expect((await agent.get(`/api/v1/contacts/${joined.id}`)).json()).toMatchObject({ id: joined.id, organizationId: null });
    await t.deps.events.idle();
    expect((await agent.get(`/api/v1/tickets/${tk.number}`)).json().organizationId).toBeNull();
    const orphans = (await agent.get(`/api/v1/tickets?q=${encodeURIComponent('org:none requester:late@globex-corp.test')}`)).json().items;
    expect(orphans.map((x: { number: number }) => x.number)).toEqual([tk.number]);
    const events = (await agent.get(`/api/v1/tickets/${tk.number}/events?action=organization_changed`)).json().items;
    expect(events).toMatchObject([{ action: 'organization_changed', from: org.id, to: null }]);
  });

  it('refuses a domain another organization owns (409 naming both), on create and update', async () => {
    const big = (await agent.post('/api/v1/organizations', { name: 'Big Co', domains: ['bigco.com'] })).json();
    const create = await agent.post('/api/v1/organizations', { name: 'Other', domains: ['other.test', 'BIGCO.com'] });
    expect(create.statusCode).toBe(409);
    expect(create.json().error).toMatchObject({ code: 'conflict', details: { field: 'domains', domain: 'bigco.com', organizationId: big.id } });
    expect(create.json().error.message).toContain('bigco.com');
    expect(create.json().error.message).toContain('Big Co');
    expect((await agent.get('/api/v1/organizations')).json().items.map((o: { name: string }) => o.name)).not.toContain('Other');

    const other = (await agent.post('/api/v1/organizations', { name: 'Other', domains: ['other.test'] })).json();
    const update = await agent.patch(`/api/v1/organizations/${other.id}`, { domains: ['other.test', 'bigco.com'] });
    expect(update.statusCode).toBe(409);
    expect(update.json().error.details).toMatchObject({ domain: 'bigco.com', organizationId: big.id });
    expect((await agent.get(`/api/v1/organizations/${other.id}`)).json().domains).toEqual(['other.test']);
    // The owner may keep its own domain through an update, and once it gives it up another may take it.
    expect((await agent.patch(`/api/v1/organizations/${big.id}`, { domains: ['bigco.com', 'bigco.net'] })).statusCode).toBe(200);
    expect((await agent.patch(`/api/v1/organizations/${big.id}`, { domains: ['bigco.net'] })).statusCode).toBe(200);
    expect((await agent.patch(`/api/v1/organizations/${other.id}`, { domains: ['other.test', 'bigco.com'] })).statusCode).toBe(200);
    const joined = (await agent.post('/api/v1/contacts', { name: 'New Joiner', emails: ['joiner@bigco.com'] })).json() as ContactJson;
    expect(joined.organizationId).toBe(other.id);
  });

  it('VIP flag and notes are kept and changed', async () => {
    const c = (await agent.post('/api/v1/contacts', { name: 'Vera Vip', emails: ['vera@vip.test'] })).json() as ContactJson;
    expect(c).toMatchObject({ vip: false, notes: '' });
    const upd = await agent.patch(`/api/v1/contacts/${c.id}`, { vip: true, notes: 'Owner of the company.\nCall before 10.' });
    expect(upd.json()).toMatchObject({ vip: true, notes: 'Owner of the company.\nCall before 10.', emails: ['vera@vip.test'], name: 'Vera Vip' });
    expect((await agent.get(`/api/v1/contacts/${c.id}`)).json()).toMatchObject({ vip: true, notes: 'Owner of the company.\nCall before 10.' });
    const off = await agent.patch(`/api/v1/contacts/${c.id}`, { vip: false });
    expect(off.json()).toMatchObject({ vip: false, notes: 'Owner of the company.\nCall before 10.' });
  });

  it('searches by part of the name or email, in any case', async () => {
    const zed = (await agent.post('/api/v1/contacts', { name: 'Zebulon Quartermaine', emails: ['zq@stripes.test'] })).json() as ContactJson;
    const other = (await agent.post('/api/v1/contacts', { name: 'Stripey McStripe', emails: ['plain@plain.test'] })).json() as ContactJson;
    const ids = async (q: string) => (await agent.get(`/api/v1/contacts?q=${encodeURIComponent(q)}`)).json().items.map((c: ContactJson) => c.id).sort();
    expect(await ids('quarterMAINE')).toEqual([zed.id]);
    expect(await ids('zq@stripes')).toEqual([zed.id]);
    expect(await ids('STRIPE')).toEqual([zed.id, other.id].sort());
    expect(await ids('nobody-here-at-all')).toEqual([]);
    // LIKE wildcards are taken literally.
    expect(await ids('%')).toEqual([]);
    expect(await ids('_')).toEqual([]);
  });

  it('pages through contacts by name with nextCursor: no duplicates, no gaps', async () => {
    // Same names force the id tie-breaker; mixed names check the order.
    const names = ['Pager Alpha', 'Pager Bravo', 'Pager Bravo', 'Pager Bravo', 'Pager Charlie', 'Pager Delta', 'Pager Echo', 'Pager Echo', 'Pager Foxtrot', 'Pager Golf', 'Pager Hotel', 'Pager India', 'Pager Juliet'];
    const created: string[] = [];
    for (const [i, name] of names.entries()) {
      created.push((await agent.post('/api/v1/contacts', { name, emails: [`pager${i}@pages.test`] })).json().id);
    }
    const all = (await agent.get('/api/v1/contacts?q=pager&limit=200')).json();
    expect(all.nextCursor).toBeNull();
    const fullOrder = all.items.map((c: ContactJson) => c.id);
    expect([...fullOrder].sort()).toEqual([...created].sort());
    expect(all.items.map((c: ContactJson) => c.name)).toEqual([...names].sort());

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await agent.get(`/api/v1/contacts?q=pager&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(4);
      seen.push(...body.items.map((c: ContactJson) => c.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen).toEqual(fullOrder);
    expect(new Set(seen).size).toBe(names.length);
    expect(pages).toBe(4);
    const bad = await agent.get('/api/v1/contacts?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(fieldPaths(bad)).toEqual(['cursor']);
  });

  it("lists a contact's history: all their tickets, newest first, whatever address they wrote from", async () => {
    const c = (await agent.post('/api/v1/contacts', { name: 'Hester History', emails: ['hester@history.test', 'h.alt@history.test'] })).json() as ContactJson;
    const first = await createTicket(agent, { subject: 'First', requester: { email: 'hester@history.test' } });
    t.clock.advance(60_000);
    const second = await createTicket(agent, { subject: 'Second', requester: { email: 'H.ALT@history.test' } });
    t.clock.advance(60_000);
    const third = await createTicket(agent, { subject: 'Third', requesterId: c.id });
    await createTicket(agent, { subject: 'Not hers', requester: { email: 'someone@history.test' } });
    const res = await agent.get(`/api/v1/contacts/${c.id}/tickets`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((x: { number: number; subject: string }) => [x.number, x.subject])).toEqual([
      [third.number, 'Third'],
      [second.number, 'Second'],
      [first.number, 'First'],
    ]);
    expect(res.json().items[0].requester).toMatchObject({ id: c.id, name: 'Hester History', email: 'hester@history.test' });
    const none = (await agent.post('/api/v1/contacts', { name: 'No Tickets' })).json() as ContactJson;
    expect((await agent.get(`/api/v1/contacts/${none.id}/tickets`)).json().items).toEqual([]);
  });

  it("answers 404 for an unknown contact's history, as for the contact itself", async () => {
    const unknown = '00000000-0000-0000-0000-000000000000';
    for (const url of [`/api/v1/contacts/${unknown}`, `/api/v1/contacts/${unknown}/tickets`]) {
      const res = await agent.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
    expect((await agent.get('/api/v1/contacts/not-a-uuid/tickets')).statusCode).toBe(400);
  });

  it('answers 400 naming each bad field, 404 for unknown ids, and stores nothing', async () => {
    const before = (await agent.get('/api/v1/contacts?limit=200')).json().items.length;
    const bad = await agent.post('/api/v1/contacts', { name: 'Bad', emails: ['not-an-email'], phones: ['call me'], vip: 'yes', colour: 'red' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    expect(fieldPaths(bad)).toEqual(expect.arrayContaining(['body.emails.0', 'body.phones.0', 'body.vip', 'body.colour']));
    // Separators alone are no number (they would be stored as an empty phone).
    const punctuation = await agent.post('/api/v1/contacts', { name: 'Dots', phones: ['+1 555 0100', '..--//'] });
    expect([punctuation.statusCode, fieldPaths(punctuation)]).toEqual([400, ['body.phones.1']]);
    const badOrg = await agent.post('/api/v1/contacts', { name: 'Orphan', organizationId: '00000000-0000-7000-8000-000000000000' });
    expect(badOrg.statusCode).toBe(400);
    expect(fieldPaths(badOrg)).toEqual(['organizationId']);
    const nothing = await agent.post('/api/v1/contacts', { name: '   ', notes: 'who?' });
    expect(nothing.statusCode).toBe(400);
    expect(fieldPaths(nothing)).toEqual(['name']);
    const emptyName = await agent.patch(`/api/v1/contacts/${(await agent.post('/api/v1/contacts', { name: 'Valid' })).json().id}`, { name: '  ' });
    expect(emptyName.statusCode).toBe(400);
    expect(fieldPaths(emptyName)).toEqual(['body.name']);
    const badDomain = await agent.post('/api/v1/organizations', { name: 'Bad Domains', domains: ['not a domain'] });
    expect(badDomain.statusCode).toBe(400);
    expect(fieldPaths(badDomain)).toEqual(['body.domains.0']);
    expect((await agent.get('/api/v1/contacts?limit=200')).json().items.length).toBe(before + 1);
    expect((await agent.get('/api/v1/contacts/not-a-uuid')).statusCode).toBe(400);
    const missing = await agent.get('/api/v1/contacts/00000000-0000-7000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    expect((await agent.patch('/api/v1/contacts/00000000-0000-7000-8000-000000000000', { vip: true })).statusCode).toBe(404);
    expect((await agent.get('/api/v1/contacts?limit=0')).statusCode).toBe(400);
  });
});
