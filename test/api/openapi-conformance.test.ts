import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { OpenApiChecker, type Call, type OpenApiDocument } from '../support/openapi-checker.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

/**
 * An integrator generates a client from GET /api/v1/openapi.json and trusts it. This walks the
 * documented operations with realistic calls (as an admin, an agent and anonymously, with Bearer
 * tokens) and holds every answer to the schema documented for its status code.
 */
describeEachDialect('OpenAPI document tells the truth', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let oa: OpenApiChecker;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Olga Agent' });
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApiDocument;
    oa = new OpenApiChecker(t.app, doc);
  });
  afterAll(() => t.close());

  const as = (who: ApiClient | null) => ({
    get: (url: string) => oa.call({ method: 'GET', url, token: who?.token }),
    post: (url: string, body?: unknown) => oa.call({ method: 'POST', url, token: who?.token, body }),
    patch: (url: string, body: unknown = {}) => oa.call({ method: 'PATCH', url, token: who?.token, body }),
    put: (url: string, body: unknown = {}) => oa.call({ method: 'PUT', url, token: who?.token, body }),
    delete: (url: string) => oa.call({ method: 'DELETE', url, token: who?.token }),
    raw: (c: Omit<Call, 'token'>) => oa.call({ ...c, token: who?.token }),
  });
  // A call that should succeed and did not is a finding too; the walk goes on to find the rest.
  const unexpected: string[] = [];
  const ok = (res: { statusCode: number; body: string; raw: { req: { method?: string; url?: string } } }, status = 200) => {
    if (res.statusCode !== status) unexpected.push(`${res.raw.req.method} ${res.raw.req.url}: expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 300)}`);
    try {
      return JSON.parse(res.body || 'null') ?? {};
    } catch {
      return {};
    }
  };

  it('walks the documented operations and every answer matches its documented schema', { timeout: 120_000 }, async () => {
    const admin = as(t.admin);
    const ag = as(agent);
    const anon = as(null);

    // System and self
    ok(await anon.get('/api/health'));
    ok(await admin.get('/api/v1/me'));
    ok(await admin.get('/api/v1/settings'));
    ok(await admin.patch('/api/v1/settings', { helpdeskName: 'Conformance desk' }));
    ok(await admin.get('/api/v1/audit-log?limit=5'));
    const token = ok(await ag.post('/api/v1/tokens', { name: 'ci', scopes: ['read'] }), 201);
    ok(await ag.get('/api/v1/tokens'));
    ok(await ag.delete(`/api/v1/tokens/${token.id}`));

    // Users and groups
    const group = ok(await admin.post('/api/v1/groups', { name: `Billing ${dialect}`, memberIds: [agent.userId] }), 201);
    ok(await admin.get('/api/v1/groups'));
    ok(await admin.get(`/api/v1/groups/${group.id}`));
    ok(await admin.patch(`/api/v1/groups/${group.id}`, { description: 'Money matters' }));
    const user = ok(await admin.post('/api/v1/users', { email: `pat-${dialect}@tessera.test`, name: 'Pat Person', role: 'agent', groupIds: [group.id] }), 201);
    ok(await admin.get('/api/v1/users'));
    ok(await admin.get(`/api/v1/users/${user.id}`));
    ok(await admin.patch(`/api/v1/users/${user.id}`, { maxLoad: 5, skills: ['french'] }));

    // Contacts and organizations
    const org = ok(await admin.post('/api/v1/organizations', { name: 'Acme', domains: ['acme.test'] }), 201);
    ok(await admin.get('/api/v1/organizations'));
    ok(await admin.get(`/api/v1/organizations/${org.id}`));
    ok(await admin.patch(`/api/v1/organizations/${org.id}`, { vip: true }));
    const contact = ok(await admin.post('/api/v1/contacts', { name: 'Carol Customer', emails: ['carol@acme.test'], phones: ['+1 555 0100'], organizationId: org.id }), 201);
    ok(await admin.get('/api/v1/contacts?q=carol&limit=10'));
    ok(await admin.get(`/api/v1/contacts/${contact.id}`));
    ok(await admin.patch(`/api/v1/contacts/${contact.id}`, { notes: 'Prefers mail' }));

    // Custom fields, tickets, messages
    const field = ok(await admin.post('/api/v1/custom-fields', { key: 'plan', label: 'Plan', type: 'dropdown', options: ['free', 'pro'] }), 201);
    ok(await admin.get('/api/v1/custom-fields'));
    ok(await admin.patch(`/api/v1/custom-fields/${field.id}`, { label: 'Price plan' }));
    const tk = ok(await admin.post('/api/v1/tickets', { subject: 'Printer on fire', requesterId: contact.id, message: { body: 'Help!' }, tags: ['printer'], customFields: { plan: 'pro' } }), 201);
    const tk2 = ok(await ag.post('/api/v1/tickets', { subject: 'Second', requester: { email: 'dan@else.test', name: 'Dan' }, message: { body: 'Hi' }, groupId: group.id }), 201);
    const tk3 = ok(await ag.post('/api/v1/tickets', { subject: 'Third', requester: { email: 'dan@else.test' }, message: { body: 'Again' } }), 201);
    ok(await ag.post('/api/v1/tickets/batch', { tickets: [{ subject: 'Batch one', requester: { email: 'dan@else.test' }, message: { body: 'One' } }, { subject: 'Batch two', requesterId: contact.id, message: { body: 'Two' } }] }), 201);
    ok(await ag.post('/api/v1/tickets/batch', { tickets: [{ subject: 'Bad', message: { body: 'No requester' } }] }), 400);
    ok(await ag.get('/api/v1/tickets?limit=2'));
    const page = ok(await ag.get('/api/v1/tickets?limit=1&sort=number_asc'));
    ok(await ag.get(`/api/v1/tickets?limit=1&sort=number_asc&cursor=${encodeURIComponent(page.nextCursor)}`));
    ok(await ag.get(`/api/v1/tickets?q=${encodeURIComponent('status:open priority>=medium')}&limit=200`));
    ok(await ag.get('/api/v1/tickets/filter-fields'));
    ok(await ag.get('/api/v1/search?q=printer'));
    ok(await ag.get(`/api/v1/tickets/${tk.number}`));
    ok(await ag.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: agent.userId, priority: 'high', starred: true, addTags: ['vip'] }));
    ok(await ag.get(`/api/v1/tickets/${tk.number}/events?limit=2`));
    ok(await ag.post('/api/v1/tickets/bulk', { numbers: [tk2.number], changes: { priority: 'low' } }));
    ok(await ag.get(`/api/v1/contacts/${contact.id}/tickets`));
    const posted = ok(await ag.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'note', body: 'Checking @Olga' }), 201);
    ok(await ag.post(`/api/v1/tickets/${tk.number}/messages`, { body: 'We are on it', setStatus: 'waiting' }), 201);
    ok(await ag.get(`/api/v1/tickets/${tk.number}/messages`));
    ok(await ag.post(`/api/v1/tickets/${tk.number}/split`, { messageIds: [posted.message.id] }), 201);
    ok(await ag.post(`/api/v1/tickets/${tk2.number}/merge`, { sourceNumbers: [tk3.number] }));
    ok(await ag.get(`/api/v1/tickets/${tk.number}/collision?since=${encodeURIComponent('2026-03-02T09:00:00.000Z')}`));
    ok(await ag.post(`/api/v1/tickets/${tk.number}/reply-preview`, { body: 'Draft' }));

    // Uploads and attachments
    const boundary = 'conformance';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
    const upload = ok(await ag.raw({ method: 'POST', url: '/api/v1/uploads', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart }), 201);
    ok(await ag.get(`/api/v1/attachments/${upload.id}`));

    // Tags and views
    ok(await ag.get('/api/v1/tags'));
    ok(await admin.patch('/api/v1/tags/printer', { name: 'printers' }));
    ok(await admin.delete('/api/v1/tags/vip'));
    const view = ok(await ag.post('/api/v1/views', { name: 'Mine', query: 'assignee:me' }), 201);
    ok(await ag.get('/api/v1/views'));
    ok(await ag.get('/api/v1/views?counts=false'));
    ok(await ag.get(`/api/v1/tickets?view=${view.id}`));
    ok(await ag.patch(`/api/v1/views/${view.id}`, { name: 'My tickets' }));
    ok(await ag.delete(`/api/v1/views/${view.id}`));

    // Time, canned responses, dashboard
    const entry = ok(await ag.post(`/api/v1/tickets/${tk.number}/time-entries`, { minutes: 15, note: 'Call' }), 201);
    ok(await ag.get(`/api/v1/tickets/${tk.number}/time-entries`));
    ok(await ag.patch(`/api/v1/time-entries/${entry.id}`, { minutes: 20 }));
    ok(await ag.delete(`/api/v1/time-entries/${entry.id}`));
    const canned = ok(await ag.post('/api/v1/canned-responses', { title: 'Hi', body: 'Hello {{ requester.firstName }}' }), 201);
    ok(await ag.get('/api/v1/canned-responses?q=hi'));
    ok(await ag.get(`/api/v1/canned-responses/${canned.id}`));
    ok(await ag.patch(`/api/v1/canned-responses/${canned.id}`, { title: 'Hello' }));
    ok(await ag.post(`/api/v1/canned-responses/${canned.id}/render?ticket=${tk.number}`));
    ok(await ag.delete(`/api/v1/canned-responses/${canned.id}`));
    ok(await ag.get('/api/v1/dashboard'));

    // Notifications and notices
    ok(await ag.get('/api/v1/notifications?limit=5'));
    ok(await ag.get('/api/v1/notifications/unread-count'));
    ok(await ag.get('/api/v1/notifications/preferences'));
    ok(await ag.patch('/api/v1/notifications/preferences', { mention: { email: true } }));
    ok(await ag.post('/api/v1/notifications/read-all'));
    const notice = ok(await admin.post('/api/v1/notices', { title: 'Maintenance', body: 'Tonight' }), 201);
    ok(await ag.get('/api/v1/notices'));
    ok(await admin.patch(`/api/v1/notices/${notice.id}`, { pinned: true }));
    ok(await admin.delete(`/api/v1/notices/${notice.id}`));

    // SLA
    const cal = ok(await admin.post('/api/v1/sla/calendars', { name: 'Office', timeZone: 'Europe/Berlin', weeklyHours: { monday: [{ start: '09:00', end: '17:00' }] }, holidays: ['2026-12-25'] }), 201);
    ok(await admin.get('/api/v1/sla/calendars'));
    ok(await admin.get(`/api/v1/sla/calendars/${cal.id}`));
    ok(await admin.patch(`/api/v1/sla/calendars/${cal.id}`, { name: 'Berlin office' }));
    const targets = { firstResponse: 60, nextResponse: null, resolution: 480 };
    const policy = ok(await admin.post('/api/v1/sla/policies', { name: 'Default', targets: { low: targets, medium: targets, high: targets, urgent: targets } }), 201);
    ok(await admin.get('/api/v1/sla/policies'));
    ok(await admin.get(`/api/v1/sla/policies/${policy.id}`));
    ok(await admin.patch(`/api/v1/sla/policies/${policy.id}`, { warningPercent: 80 }));
    ok(await admin.post(`/api/v1/tickets/${tk2.number}/sla`, { policyId: policy.id }));
    ok(await ag.get(`/api/v1/tickets/${tk2.number}/sla`));
    ok(await admin.post('/api/v1/sla/sweep'));
    ok(await ag.get(`/api/v1/tickets/${tk2.number}`));

    // Automations
    const rule = ok(await admin.post('/api/v1/automations/rules', { name: 'Urgent printers', kind: 'trigger', events: ['ticket.created'], conditions: { filter: 'tag:printer' }, actions: [{ type: 'set_priority', priority: 'urgent' }] }), 201);
    ok(await admin.get('/api/v1/automations/rules?kind=trigger'));
    ok(await admin.get(`/api/v1/automations/rules/${rule.id}`));
    ok(await admin.patch(`/api/v1/automations/rules/${rule.id}`, { active: false }));
    ok(await admin.post('/api/v1/automations/sweep'));
    ok(await admin.put(`/api/v1/groups/${group.id}/assignment`, { strategy: 'round_robin' }));
    ok(await admin.get(`/api/v1/groups/${group.id}/assignment`));
    ok(await admin.delete(`/api/v1/automations/rules/${rule.id}`));

    // Integrations
    ok(await admin.get('/api/v1/integrations/settings'));
    ok(await admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: false }));
    const hook = ok(await admin.post('/api/v1/integrations/webhooks', { name: 'CRM', url: 'https://crm.example.com/hook', eventTypes: ['ticket.created'] }), 201);
    ok(await admin.get('/api/v1/integrations/webhooks'));
    ok(await admin.get(`/api/v1/integrations/webhooks/${hook.id}`));
    ok(await admin.patch(`/api/v1/integrations/webhooks/${hook.id}`, { active: false }));
    ok(await admin.get(`/api/v1/integrations/webhooks/${hook.id}/deliveries`));
    ok(await admin.delete(`/api/v1/integrations/webhooks/${hook.id}`));
    const tracker = ok(await admin.post('/api/v1/integrations/trackers', { name: 'Jira', createUrl: 'https://jira.example.com/issues', createTemplate: '{"title": {{ ticket.subject | json }}}' }), 201);
    ok(await admin.get('/api/v1/integrations/trackers'));
    ok(await admin.get('/api/v1/integrations/transfers'));
    ok(await ag.get(`/api/v1/tickets/${tk.number}/transfer`));
    ok(await admin.delete(`/api/v1/integrations/trackers/${tracker.id}`));
    ok(await ag.post(`/api/v1/tickets/${tk.number}/escalate`, { groupId: group.id, note: 'Needs billing' }));

    // Mail
    const mailbox = ok(await admin.post('/api/v1/mailboxes', { address: `support-${dialect}@tessera.test`, displayName: 'Support' }), 201);
    ok(await admin.get('/api/v1/mailboxes'));
    ok(await admin.get(`/api/v1/mailboxes/${mailbox.id}`));
    ok(await admin.patch(`/api/v1/mailboxes/${mailbox.id}`, { displayName: 'Support desk' }));
    const mime = `From: Eve <eve@acme.test>\r\nTo: support-${dialect}@tessera.test\r\nSubject: Mail in\r\nMessage-ID: <conf-${dialect}@acme.test>\r\nDate: Mon, 2 Mar 2026 09:00:00 +0000\r\n\r\nHello by mail\r\n`;
    const accepted = ok(await admin.raw({ method: 'POST', url: `/api/v1/mail/inbound?mailbox=${encodeURIComponent(`support-${dialect}@tessera.test`)}`, headers: { 'content-type': 'message/rfc822' }, payload: mime }), 202);
    await t.deps.jobs.drain();
    ok(await admin.get('/api/v1/mail/inbound?limit=5'));
    ok(await admin.get(`/api/v1/mail/inbound/${accepted.id}`));
    ok(await admin.get(`/api/v1/mail/inbound/${accepted.id}/raw`));
    ok(await admin.get('/api/v1/mail/outbox?limit=5'));
    ok(await ag.get(`/api/v1/tickets/${tk.number}/mail-participants`));
    ok(await ag.get(`/api/v1/tickets/${tk.number}/mail-deliveries`));

    // Customer notifications
    ok(await admin.get('/api/v1/customer-notifications/templates'));
    ok(await admin.get('/api/v1/customer-notifications/settings'));
    ok(await admin.get('/api/v1/customer-notifications/restricted-words'));
    ok(await admin.put('/api/v1/customer-notifications/restricted-words', { words: ['guarantee'] }));

    // Phone, SMS, portal, chat, forms, CSAT settings
    ok(await ag.post('/api/v1/calls', { number: '+1 555 0100', direction: 'inbound', durationSeconds: 90, ticketNumber: tk.number }), 201);
    ok(await ag.get(`/api/v1/tickets/${tk.number}/calls`));
    const callback = ok(await ag.post('/api/v1/callbacks', { ticketNumber: tk.number, dueAt: '2026-03-02T15:00:00.000Z', number: '+1 555 0100' }), 201);
    ok(await ag.get('/api/v1/callbacks'));
    ok(await ag.patch(`/api/v1/callbacks/${callback.id}`, { status: 'done' }));
    ok(await admin.get('/api/v1/channels/settings/phone'));
    ok(await admin.get('/api/v1/channels/settings/sms'));
    ok(await ag.get(`/api/v1/tickets/${tk.number}/texts`));
    ok(await admin.get('/api/v1/channels/settings/portal'));
    ok(await admin.patch('/api/v1/channels/settings/portal', { linkMinutes: 30 }));
    ok(await admin.get('/api/v1/chat/settings'));
    ok(await admin.patch('/api/v1/chat/settings', { greeting: 'Hi there' }));
    ok(await ag.get('/api/v1/chat/sessions'));
    ok(await anon.get('/api/v1/chat/visitor/config'));
    ok(await admin.get('/api/v1/forms/settings'));
    ok(await admin.patch('/api/v1/forms/settings', { title: 'Write to us' }));
    ok(await admin.get('/api/v1/csat/settings'));
    ok(await admin.patch('/api/v1/csat/settings', { enabled: true }));
    ok(await ag.get(`/api/v1/tickets/${tk.number}/csat`));
    ok(await anon.get('/api/v1/portal/brand'));

    // Reports
    ok(await admin.get('/api/v1/reports/volume?from=2026-02-01&to=2026-03-02&by=channel'));
    ok(await admin.get('/api/v1/reports/speed'));
    ok(await admin.get('/api/v1/reports/digest'));
    ok(await admin.patch('/api/v1/reports/digest', { enabled: true, recipientIds: [t.admin.userId] }));
    ok(await admin.get('/api/v1/reports/volume/csv'));
    ok(await admin.get('/api/v1/reports/tickets.csv'));

    // Import
    ok(await admin.post('/api/v1/import/tickets', { tickets: [{ externalId: 'Z-1', subject: 'Old', requester: { email: 'old@acme.test' }, createdAt: '2025-01-01T10:00:00Z', messages: [{ kind: 'customer', body: 'Old mail', createdAt: '2025-01-01T10:00:00Z' }] }] }), 201);

    // Deletes and the rest of the admin surface
    ok(await admin.put('/api/v1/customer-notifications/templates/reply', { subject: 'Re: {{ ticket.subject }}', html: '<p>{{ message.html | raw }}</p>' }));
    ok(await admin.get('/api/v1/customer-notifications/templates/reply'));
    ok(await admin.post('/api/v1/customer-notifications/templates/reply/preview', { ticketNumber: tk.number }));
    ok(await admin.delete('/api/v1/customer-notifications/templates/reply'));
    ok(await admin.patch('/api/v1/customer-notifications/settings', { enabled: { reply: false } }));
    ok(await admin.patch('/api/v1/channels/settings/phone', { ctiSecret: 'a-very-long-shared-secret' }));
    ok(await admin.patch('/api/v1/channels/settings/sms', { enabled: false, fromNumber: '+15550100' }));
    ok(await admin.post('/api/v1/reports/rollups/rebuild'));
    ok(await admin.post('/api/v1/reports/rollups/check'));
    await admin.post(`/api/v1/mail/inbound/${accepted.id}/replay`);
    const mailMessage = ok(await ag.get(`/api/v1/tickets/${accepted.ticketNumber ?? tk.number}/messages`));
    await ag.get(`/api/v1/mail/messages/${mailMessage.items?.[0]?.id ?? '01900000-0000-7000-8000-000000000000'}/original`);
    await admin.post(`/api/v1/mailboxes/${mailbox.id}/poll`);
    const spare = ok(await admin.post('/api/v1/mailboxes', { address: `spare-${dialect}@tessera.test`, displayName: 'Spare' }), 201);
    ok(await admin.delete(`/api/v1/mailboxes/${spare.id}`));
    const spareCal = ok(await admin.post('/api/v1/sla/calendars', { name: 'Spare', timeZone: 'UTC', weeklyHours: { monday: [{ start: '09:00', end: '10:00' }] } }), 201);
    ok(await admin.delete(`/api/v1/sla/calendars/${spareCal.id}`));
    ok(await admin.delete(`/api/v1/sla/policies/${policy.id}`));
    const spareGroup = ok(await admin.post('/api/v1/groups', { name: `Spare ${dialect}` }), 201);
    ok(await admin.delete(`/api/v1/groups/${spareGroup.id}`));
    const spareOrg = ok(await admin.post('/api/v1/organizations', { name: 'Spare org' }), 201);
    ok(await admin.delete(`/api/v1/organizations/${spareOrg.id}`));
    const doomed = ok(await ag.post('/api/v1/tickets', { subject: 'Spam', requester: { email: 'spam@else.test' }, message: { body: 'Buy' } }), 201);
    ok(await ag.patch(`/api/v1/tickets/${doomed.number}`, { spam: true }));
    ok(await admin.delete(`/api/v1/tickets/${doomed.number}`));
    ok(await admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: true }));
    const hook2 = ok(await admin.post('/api/v1/integrations/webhooks', { name: 'Local', url: 'http://127.0.0.1:9/hook', eventTypes: ['ticket.created'] }), 201);
    await admin.post(`/api/v1/integrations/webhooks/${hook2.id}/test`);
    const tracker2 = ok(await admin.post('/api/v1/integrations/trackers', { name: 'Local', createUrl: 'http://127.0.0.1:9/issues', createTemplate: '{}' }), 201);
    await ag.post(`/api/v1/tickets/${tk.number}/transfer`, { trackerId: tracker2.id });
    await ag.post(`/api/v1/tickets/${tk.number}/transfer/comments`, { body: 'Any news?' });
    await anon.raw({ method: 'POST', url: `/api/v1/integrations/trackers/${tracker2.id}/inbound`, body: { externalId: 'X-1', status: 'resolved' } });

    // Sign-in and self service
    const pat = await t.user({ role: 'agent', email: `sam-${dialect}@tessera.test` });
    ok(await anon.post('/api/v1/auth/login', { email: pat.email, password: 'correct horse battery' }));
    await anon.post('/api/v1/auth/login', { email: pat.email, password: 'wrong' });
    ok(await as(pat).post('/api/v1/me/password', { currentPassword: 'correct horse battery', newPassword: 'another horse battery' }));
    ok(await anon.post('/api/v1/auth/logout'));
    const bell = await t.user({ role: 'agent' });
    ok(await ag.patch(`/api/v1/tickets/${tk2.number}`, { assigneeId: bell.userId }));
    await t.deps.jobs.drain();
    const notes = ok(await as(bell).get('/api/v1/notifications'));
    if (notes.items?.[0]) ok(await as(bell).post(`/api/v1/notifications/${notes.items[0].id}/read`));

    // Chat, agent and visitor sides
    ok(await ag.post('/api/v1/chat/presence', { online: true }));
    const chat = ok(await anon.post('/api/v1/chat/visitor/sessions', { name: 'Vera', email: 'vera@visitor.test' }), 201);
    const chatFile = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="shot.txt"\r\nContent-Type: text/plain\r\n\r\nscreen\r\n--${boundary}--\r\n`;
    const sent = ok(await anon.raw({ method: 'POST', url: '/api/v1/chat/visitor/files', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-chat-token': chat.token }, payload: chatFile }), 201);
    ok(await ag.get(`/api/v1/chat/sessions/${chat.sessionId}`));
    ok(await ag.post(`/api/v1/chat/sessions/${chat.sessionId}/accept`));
    ok(await ag.post(`/api/v1/chat/sessions/${chat.sessionId}/messages`, { body: 'Hello Vera' }), 201);
    ok(await ag.post(`/api/v1/chat/sessions/${chat.sessionId}/typing`, { on: true }));
    if (sent.attachment?.id) ok(await ag.get(`/api/v1/chat/sessions/${chat.sessionId}/files/${sent.attachment.id}`));
    const other = await t.user({ role: 'agent' });
    ok(await as(other).post('/api/v1/chat/presence', { online: true }));
    ok(await ag.post(`/api/v1/chat/sessions/${chat.sessionId}/transfer`, { userId: other.userId }));
    ok(await as(other).post(`/api/v1/chat/sessions/${chat.sessionId}/end`));
    ok(await as(other).post(`/api/v1/chat/sessions/${chat.sessionId}/convert`));
    ok(await anon.post('/api/v1/chat/visitor/offline', { name: 'Olli', email: 'olli@visitor.test', message: 'Call me' }), 201);
    await anon.get('/api/v1/chat/visitor/ws');
    await ag.get('/api/v1/ws');

    // Signed webhooks and customer pages, as the world outside calls them
    await anon.raw({ method: 'POST', url: '/api/v1/channels/phone/events', body: { callId: 'c1', direction: 'inbound', from: '+15550100', to: '+15550199', durationSeconds: 5 } });
    await anon.raw({ method: 'POST', url: '/api/v1/channels/sms/twilio/inbound', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'MessageSid=SM1&From=%2B15550100&To=%2B15550199&Body=Hi' });
    await anon.get('/csat/not-a-real-token-at-all');
    await anon.raw({ method: 'POST', url: '/csat/not-a-real-token-at-all', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'rating=1' });
    for (const url of ['/api/v1/portal/me', '/api/v1/portal/tickets', `/api/v1/portal/tickets/${tk.number}`, `/api/v1/portal/attachments/${upload.id}`]) await anon.get(url);
    await anon.post('/api/v1/portal/sign-in-link', { email: 'carol@acme.test' });
    await anon.post('/api/v1/portal/sign-in', { token: 'x'.repeat(40) });
    await anon.post('/api/v1/portal/sign-out');
    await anon.post('/api/v1/portal/tickets', { subject: 'Portal', body: 'From the portal' });
    await anon.post(`/api/v1/portal/tickets/${tk.number}/messages`, { body: 'Me again' });
    await anon.post(`/api/v1/portal/tickets/${tk.number}/close`);
    await anon.raw({ method: 'POST', url: '/api/v1/portal/uploads', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart });
    await admin.get(`/api/v1/mail/outbox/01900000-0000-7000-8000-000000000000/raw`);

    // Error answers a client must be able to read
    await ag.get('/api/v1/tickets/999999');
    await ag.patch(`/api/v1/tickets/${tk2.number}`, { bogus: 1 });
    await anon.get('/api/v1/tickets');
    await ag.get('/api/v1/settings');
    await ag.get('/api/v1/users/01900000-0000-7000-8000-000000000000');
    await admin.post('/api/v1/groups', { name: `Billing ${dialect}` });
    await ag.get('/api/v1/tickets?limit=500');

    // Every documented operation was called; a new route without a call here fails this line.
    expect(oa.notExercised()).toEqual([]);
    expect({ unexpected, problems: oa.problems }).toEqual({ unexpected: [], problems: [] });
  });

  it('documents the paging bounds the server enforces: limit at its maximum works, one past it is a 400', async () => {
    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(oa.doc.paths)) {
      const limit = ops.get?.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
      if (!limit || path.includes('{')) continue;
      const { minimum, maximum } = limit.schema as { minimum?: number; maximum?: number };
      if (minimum === undefined || maximum === undefined) {
        wrong.push(`${path}: limit has no documented bounds`);
        continue;
      }
      // Required parameters (search's q) get a plain word.
      const required = (ops.get?.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=printer&`).join('');
      const status = async (n: number) => (await oa.call({ method: 'GET', url: `${path}?${required}limit=${n}`, token: t.admin.token })).statusCode;
      if ((await status(maximum)) !== 200) wrong.push(`${path}: limit=${maximum} (the documented maximum) refused`);
      if ((await status(maximum + 1)) !== 400) wrong.push(`${path}: limit=${maximum + 1} (past the documented maximum) not refused`);
      if ((await status(minimum - 1)) !== 400) wrong.push(`${path}: limit=${minimum - 1} (under the documented minimum) not refused`);
    }
    // A cursor from nowhere is refused, as documented, rather than read as the first page.
    const bad = await oa.call({ method: 'GET', url: '/api/v1/tickets?cursor=not-a-cursor', token: t.admin.token });
    if (bad.statusCode !== 400) wrong.push(`/api/v1/tickets?cursor=not-a-cursor answered ${bad.statusCode}`);
    expect({ wrong, problems: oa.problems }).toEqual({ wrong: [], problems: [] });
  });
});
