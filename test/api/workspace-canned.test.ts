import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

/** Canned responses: shared by admins, personal per agent, rendered with Liquid placeholders for a ticket. */
describeEachDialect('workspace: canned responses', (dialect) => {
  let t: TestApp;
  let alice: ApiClient;
  let bob: ApiClient;
  let restricted: ApiClient;
  let sharedId: string;
  let alicePersonalId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    alice = await t.user({ role: 'agent', name: 'Alice Agent' });
    bob = await t.user({ role: 'agent', name: 'Bob Agent' });
    restricted = await t.user({ role: 'agent', name: 'Rita Restricted', restrictedToGroups: true });
  });
  afterAll(() => t.close());

  it('admins share responses with everyone; agents keep personal ones only they can see', async () => {
    const shared = await t.admin.post('/api/v1/canned-responses', { title: 'Refund sent', body: 'Hi {{ requester.firstName }}, your refund for #{{ ticket.number }} is on its way. {{ agent.name }}', scope: 'shared' });
    expect(shared.statusCode).toBe(201);
    expect(shared.json()).toMatchObject({ scope: 'shared', ownerId: null });
    sharedId = shared.json().id;
    const personal = await alice.post('/api/v1/canned-responses', { title: 'My sign-off', body: 'Cheers, {{ agent.firstName }}' });
    expect(personal.json()).toMatchObject({ scope: 'personal', ownerId: alice.userId });
    alicePersonalId = personal.json().id;

    expect((await bob.post('/api/v1/canned-responses', { title: 'Sneaky', body: 'x', scope: 'shared' })).statusCode).toBe(403);
    const titles = async (who: ApiClient, q = '') => ((await who.get(`/api/v1/canned-responses${q}`)).json().items as { title: string }[]).map((c) => c.title);
    expect(await titles(alice)).toEqual(['My sign-off', 'Refund sent']);
    expect(await titles(bob)).toEqual(['Refund sent']);
    expect(await titles(t.admin)).toEqual(['Refund sent']);
    expect(await titles(alice, '?q=REFUND')).toEqual(['Refund sent']);
    // Someone else's personal response does not exist for them, not even for an admin.
    for (const who of [bob, t.admin]) {
      expect((await who.get(`/api/v1/canned-responses/${alicePersonalId}`)).statusCode).toBe(404);
      expect((await who.patch(`/api/v1/canned-responses/${alicePersonalId}`, { title: 'Mine now' })).statusCode).toBe(404);
      expect((await who.post(`/api/v1/canned-responses/${alicePersonalId}/render`)).statusCode).toBe(404);
    }
  });

  it('renders the placeholders for a ticket the agent can see', async () => {
    const tk = await createTicket(t.admin, { subject: 'Where is my money', requester: { email: 'carol.c@customer.test', name: 'Carol Customer' } });
    const res = await alice.post(`/api/v1/canned-responses/${sharedId}/render?ticket=${tk.number}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ text: `Hi Carol, your refund for #${tk.number} is on its way. Alice Agent` });
    expect((await alice.post(`/api/v1/canned-responses/${alicePersonalId}/render`)).json()).toEqual({ text: 'Cheers, Alice' });
    // Without a ticket, ticket placeholders stay empty rather than failing.
    expect((await bob.post(`/api/v1/canned-responses/${sharedId}/render`)).json().text).toBe('Hi , your refund for # is on its way. Bob Agent');
    // A ticket the agent may not see is "not found", so nothing of it leaks through a template.
    expect((await restricted.post(`/api/v1/canned-responses/${sharedId}/render?ticket=${tk.number}`)).statusCode).toBe(404);
    expect((await alice.post(`/api/v1/canned-responses/${sharedId}/render?ticket=abc`)).json().error).toMatchObject({ code: 'validation_failed' });
  });

  it('refuses a broken template at save time, naming the body, and contains expensive ones', async () => {
    const broken = await alice.post('/api/v1/canned-responses', { title: 'Broken', body: 'Hello {% if requester.name %}' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.details.fields[0].path).toBe('body');
    // Tags that read other files would fail every render (naming the loader's path): refused on save.
    for (const body of ['{% include "/etc/passwd" %}', 'Hi {% if agent %}{% render "x" %}{% endif %}', '{% layout "x" %}Hi', '{% liquid\n include "x"\n%}']) {
      const files = await alice.post('/api/v1/canned-responses', { title: 'Files', body });
      expect(files.statusCode).toBe(400);
      expect(files.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body']);
      expect(files.json().error.message).toMatch(/is not available/);
      expect(files.body).not.toMatch(/root:|ENOENT|lookup/);
    }
    const later = await alice.patch(`/api/v1/canned-responses/${alicePersonalId}`, { body: '{% render "x" %}' });
    expect(later.statusCode).toBe(400);
    expect(later.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body']);
    const raw = await alice.post('/api/v1/canned-responses', { title: 'Raw', body: '{% raw %}{% include "x" %}{% endraw %}' });
    expect((await alice.post(`/api/v1/canned-responses/${raw.json().id}/render`)).json()).toEqual({ text: '{% include "x" %}' });
    const loop = await alice.post('/api/v1/canned-responses', { title: 'Loop', body: '{% for i in (1..100000000) %}x{% endfor %}' });
    expect((await alice.post(`/api/v1/canned-responses/${loop.json().id}/render`)).statusCode).toBe(400);
    expect((await alice.post('/api/v1/canned-responses', { title: '', body: 'x' })).json().error.details.fields[0].path).toBe('body.title');
  });

  it('shared ones are changed only by admins; owners change and delete their own', async () => {
    expect((await alice.patch(`/api/v1/canned-responses/${sharedId}`, { title: 'Hijacked' })).statusCode).toBe(403);
    expect((await alice.delete(`/api/v1/canned-responses/${sharedId}`)).statusCode).toBe(403);
    const renamed = await t.admin.patch(`/api/v1/canned-responses/${sharedId}`, { title: 'Refund issued' });
    expect(renamed.json()).toMatchObject({ title: 'Refund issued', scope: 'shared' });
    expect((await alice.patch(`/api/v1/canned-responses/${alicePersonalId}`, { body: 'Bye, {{ agent.firstName }}' })).json()).toMatchObject({ body: 'Bye, {{ agent.firstName }}' });
    expect((await alice.patch(`/api/v1/canned-responses/${alicePersonalId}`, {})).statusCode).toBe(400);
    expect((await alice.delete(`/api/v1/canned-responses/${alicePersonalId}`)).statusCode).toBe(200);
    expect((await alice.get(`/api/v1/canned-responses/${alicePersonalId}`)).statusCode).toBe(404);
  });
});
