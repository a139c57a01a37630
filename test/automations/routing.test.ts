import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { deliverAndProcess, mail, setupSupportMailbox } from '../mail/mail-support.js';
import { events, group, rule, settle, ticket } from './support.js';

/** Routing rules and triggers set up through the API, fed by tickets from the API and by email. */
describeEachDialect('automations: routing rules and triggers', (dialect) => {
  let t: TestApp;
  let fiona: ApiClient;
  let agent: ApiClient;
  let finance: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    fiona = await t.user({ role: 'agent', name: 'Fiona Finance' });
    agent = await t.user({ role: 'agent', name: 'Art Agent' });
    finance = await group(t, 'Finance', [fiona.userId]);
  });
  afterAll(() => t.close());

  it('admins manage ordered rules; agents may not; bad input is a 400 naming the field', async () => {
    const a = await rule(t, { name: 'A', kind: 'routing', conditions: { filter: 'priority:low' }, actions: [{ type: 'add_tags', tags: ['crud-a'] }] });
    const b = await rule(t, { name: 'B', kind: 'routing', position: 0, conditions: { filter: 'priority:low' }, actions: [{ type: 'add_tags', tags: ['crud-b'] }] });
    let list = (await t.admin.get('/api/v1/automations/rules?kind=routing')).json().items as { id: string; position: number }[];
    expect(list.map((r) => r.id)).toEqual([b, a]);
    expect((await t.admin.patch(`/api/v1/automations/rules/${a}`, { position: 0, active: false })).json()).toMatchObject({ position: 0, active: false });
    list = (await t.admin.get('/api/v1/automations/rules?kind=routing')).json().items;
    expect(list.map((r) => r.id)).toEqual([a, b]);

    expect((await agent.post('/api/v1/automations/rules', { name: 'x', kind: 'routing', actions: [{ type: 'stop' }] })).statusCode).toBe(403);
    const badFilter = await t.admin.post('/api/v1/automations/rules', { name: 'x', kind: 'routing', conditions: { filter: 'priority:' }, actions: [{ type: 'stop' }] });
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.json().error.code).toBe('filter_syntax');
    const badGroup = await t.admin.post('/api/v1/automations/rules', { name: 'x', kind: 'routing', actions: [{ type: 'set_group', groupId: '00000000-0000-7000-8000-000000000000' }] });
    expect(badGroup.statusCode).toBe(400);
    expect(JSON.stringify(badGroup.json().error.details)).toContain('actions.0.groupId');
    const noEvents = await t.admin.post('/api/v1/automations/rules', { name: 'x', kind: 'trigger', actions: [{ type: 'stop' }] });
    expect(noEvents.statusCode).toBe(400);
    const badTemplate = await t.admin.post('/api/v1/automations/rules', { name: 'x', kind: 'trigger', events: ['ticket.created'], actions: [{ type: 'email_customer', subject: 'Hi {{ ticket.number', body: 'x' }] });
    expect(badTemplate.statusCode).toBe(400);
    // A file tag parsed and then failed every mail it was to render: refused on save.
    const fileTag = await t.admin.post('/api/v1/automations/rules', { name: 'x', kind: 'trigger', events: ['ticket.created'], actions: [{ type: 'email_customer', subject: 'Hi', body: '{% include "x" %}' }] });
    expect(fileTag.statusCode).toBe(400);
    expect(JSON.stringify(fileTag.json().error.details)).toContain('actions.0.body');
    // Events listed twice are kept once.
    const twice = await t.admin.post('/api/v1/automations/rules', { name: 'Twice', kind: 'trigger', events: ['ticket.created', 'ticket.created'], actions: [{ type: 'add_tags', tags: ['twice'] }] });
    expect(twice.json().events).toEqual(['ticket.created']);
    expect((await t.admin.patch(`/api/v1/automations/rules/${twice.json().id}`, { events: ['ticket.updated', 'ticket.created', 'ticket.updated'] })).json().events).toEqual(['ticket.updated', 'ticket.created']);
    expect((await t.admin.delete(`/api/v1/automations/rules/${twice.json().id}`)).statusCode).toBe(200);

    for (const id of [a, b]) expect((await t.admin.delete(`/api/v1/automations/rules/${id}`)).statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/automations/rules/${a}`)).statusCode).toBe(404);
  });

  it('a rule naming a mailbox, calendar, SLA policy, webhook or custom field that does not exist is a 400 naming it, on create and on change', async () => {
    const missing = '00000000-0000-7000-8000-000000000000';
    expect((await t.admin.post('/api/v1/custom-fields', { key: 'rule_plan', label: 'Plan', type: 'dropdown', options: ['free', 'pro'] })).statusCode).toBe(201);
    const refused = async (res: { statusCode: number; body: string; json(): { error: unknown } }, path: string, message: RegExp) => {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path, message: expect.stringMatching(message) }] } });
    };
    const create = (body: Record<string, unknown>) => t.admin.post('/api/v1/automations/rules', { name: 'x', kind: 'routing', active: false, actions: [{ type: 'stop' }], ...body });
    await refused(await create({ actions: [{ type: 'apply_sla', policyId: missing }] }), 'actions.0.policyId', /unknown SLA policy/);
    await refused(await create({ actions: [{ type: 'add_tags', tags: ['x'] }, { type: 'send_webhook', webhookId: missing }] }), 'actions.1.webhookId', /unknown webhook/);
    await refused(await create({ actions: [{ type: 'set_custom_fields', values: { nope: 1 } }] }), 'actions.0.values.nope', /unknown custom field/);
    await refused(await create({ actions: [{ type: 'set_custom_fields', values: { rule_plan: 'enterprise' } }] }), 'actions.0.values.rule_plan', /one of free, pro/);
    await refused(await create({ conditions: { mailboxIds: [missing] } }), 'conditions.mailboxIds.0', /unknown mailbox/);
    await refused(await create({ conditions: { businessHours: { calendarId: missing, inside: true } } }), 'conditions.businessHours.calendarId', /unknown business calendar/);
    await refused(await create({ conditions: { emailDomains: ['example.com', 'not a domain'] } }), 'conditions.emailDomains.1', /not a domain name/);
    await refused(await create({ conditions: { emailDomains: ['@example.com'] } }), 'conditions.emailDomains.0', /without "@": example\.com/);

    // The same checks hold when a rule is changed.
    const id = await rule(t, { name: 'Well formed', kind: 'routing', active: false, conditions: { emailDomains: ['example.com', 'bücher.de'] }, actions: [{ type: 'set_custom_fields', values: { rule_plan: 'pro' } }] });
    await refused(await t.admin.patch(`/api/v1/automations/rules/${id}`, { actions: [{ type: 'send_webhook', webhookId: missing }] }), 'actions.0.webhookId', /unknown webhook/);
    await refused(await t.admin.patch(`/api/v1/automations/rules/${id}`, { conditions: { emailDomains: ['not a domain'] } }), 'conditions.emailDomains.0', /not a domain name/);
    expect((await t.admin.get(`/api/v1/automations/rules/${id}`)).json()).toMatchObject({ conditions: { emailDomains: ['example.com', 'bücher.de'] }, actions: [{ type: 'set_custom_fields', values: { rule_plan: 'pro' } }] });
    expect((await t.admin.delete(`/api/v1/automations/rules/${id}`)).statusCode).toBe(200);
  });

  it('routes a billing question to finance, raises its priority and assigns it; the events name the rule', async () => {
    const id = await rule(t, {
      name: 'Billing to finance',
      kind: 'routing',
      conditions: { keywords: ['invoice', 'refund'] },
      actions: [{ type: 'set_group', groupId: finance }, { type: 'set_priority', priority: 'high' }, { type: 'assign' }, { type: 'add_note', body: 'Routed to finance' }],
    });
    const tk = await createTicket(t.admin, { subject: 'Question about my invoice', message: { body: 'The total looks wrong.' } });
    const other = await createTicket(t.admin, { subject: 'Printer jam', message: { body: 'Paper stuck.' } });
    await settle(t);

    const routed = await ticket(t, tk.number);
    expect(routed).toMatchObject({ groupId: finance, priority: 'high', status: 'in_progress' });
    expect(routed.assignee?.id).toBe(fiona.userId);
    expect(await ticket(t, other.number)).toMatchObject({ groupId: null, priority: 'medium', assignee: null });

    const evs = await events(t, tk.number);
    const byRule = evs.filter((e) => e.actor.id === `rule:${id}`);
    expect(byRule.map((e) => e.action)).toEqual(expect.arrayContaining(['group_changed', 'priority_changed', 'assigned', 'message_added', 'rule_applied']));
    expect(byRule.every((e) => e.actor.type === 'system')).toBe(true);
    expect(byRule.find((e) => e.action === 'group_changed')!.data).toMatchObject({ ruleId: id, ruleName: 'Billing to finance' });
    expect(byRule.find((e) => e.action === 'rule_applied')!.to).toMatchObject({ ruleId: id, name: 'Billing to finance' });
    const notes = (await t.admin.get(`/api/v1/tickets/${tk.number}/messages`)).json().items as { kind: string; body?: string; bodyText?: string }[];
    expect(notes.some((m) => m.kind === 'note')).toBe(true);
    await t.admin.patch(`/api/v1/automations/rules/${id}`, { active: false });
  });

  it('marks @bigcustomer.com requesters urgent and VIP; stop ends processing; inactive rules do nothing', async () => {
    await rule(t, { name: 'Big customer', kind: 'routing', conditions: { emailDomains: ['bigcustomer.com'] }, actions: [{ type: 'set_priority', priority: 'urgent' }, { type: 'add_tags', tags: ['vip'] }, { type: 'stop' }] });
    await rule(t, { name: 'After stop', kind: 'routing', conditions: { emailDomains: ['bigcustomer.com'] }, actions: [{ type: 'add_tags', tags: ['never'] }] });
    await rule(t, { name: 'Off', kind: 'routing', active: false, conditions: { emailDomains: ['bigcustomer.com'] }, actions: [{ type: 'add_tags', tags: ['off'] }] });
    const big = await createTicket(t.admin, { subject: 'Outage', requester: { email: 'cto@eu.bigcustomer.com', name: 'CTO' } });
    const notBig = await createTicket(t.admin, { subject: 'Outage', requester: { email: 'cto@notbigcustomer.com', name: 'Other' } });
    await settle(t);
    expect(await ticket(t, big.number)).toMatchObject({ priority: 'urgent', tags: ['vip'] });
    expect(await ticket(t, notBig.number)).toMatchObject({ priority: 'medium', tags: [] });
  });

  it('routes inbound email by mailbox and keywords, also when a customer writes again', async () => {
    const { mailbox } = await setupSupportMailbox(t, `support-${dialect}@acme.test`);
    await rule(t, { name: 'Refund mail', kind: 'routing', conditions: { mailboxIds: [mailbox.id], keywords: ['chargeback'] }, actions: [{ type: 'set_group', groupId: finance }, { type: 'add_tags', tags: ['chargeback'] }] });
    const first = await deliverAndProcess(t, mail({ from: 'Dora <dora@shop.test>', to: `support-${dialect}@acme.test`, subject: 'Hello', body: 'Just saying hi', messageId: `<hi-${dialect}@shop.test>` }), `support-${dialect}@acme.test`);
    await settle(t);
    expect((await ticket(t, first.ticketNumber!)).tags).toEqual([]);
    await deliverAndProcess(
      t,
      mail({ from: 'Dora <dora@shop.test>', to: `support-${dialect}@acme.test`, subject: `Re: Hello [#${first.ticketNumber}]`, body: 'I filed a chargeback', messageId: `<cb-${dialect}@shop.test>`, headers: { 'In-Reply-To': `<hi-${dialect}@shop.test>` } }),
      `support-${dialect}@acme.test`,
    );
    await settle(t);
    expect(await ticket(t, first.ticketNumber!)).toMatchObject({ groupId: finance, tags: ['chargeback'] });

    // Triaged by a person (another group, an agent of their choice): a customer writing again
    // no longer routes it, or every reply would undo the triage.
    const triage = await t.admin.patch(`/api/v1/tickets/${first.ticketNumber}`, { groupId: null, assigneeId: agent.userId, removeTags: ['chargeback'] });
    expect(triage.statusCode).toBe(200);
    await deliverAndProcess(
      t,
      mail({ from: 'Dora <dora@shop.test>', to: `support-${dialect}@acme.test`, subject: `Re: Hello [#${first.ticketNumber}]`, body: 'About my chargeback again', messageId: `<cb2-${dialect}@shop.test>`, headers: { 'In-Reply-To': `<cb-${dialect}@shop.test>` } }),
      `support-${dialect}@acme.test`,
    );
    await settle(t);
    expect(await ticket(t, first.ticketNumber!)).toMatchObject({ groupId: null, assignee: { id: agent.userId }, tags: [] });
  });

  it('triggers react to updates and priority changes, and cannot loop: a rule change never re-triggers', async () => {
    const up = await rule(t, { name: 'Bump', kind: 'trigger', events: ['ticket.priority_changed'], conditions: { filter: 'priority:high tag:looptest' }, actions: [{ type: 'set_priority', priority: 'urgent' }] });
    const down = await rule(t, { name: 'Unbump', kind: 'trigger', events: ['ticket.priority_changed', 'ticket.updated'], conditions: { filter: 'priority:urgent tag:looptest' }, actions: [{ type: 'set_priority', priority: 'high' }] });
    const tk = await createTicket(t.admin, { subject: 'Loop', tags: ['looptest'] });
    await settle(t);
    expect((await agent.patch(`/api/v1/tickets/${tk.number}`, { priority: 'high' })).statusCode).toBe(200);
    await settle(t);
    await settle(t);
    const applied = (await events(t, tk.number)).filter((e) => e.action === 'rule_applied');
    // One run for the agent's change (both rules once, in order); none for the rules' own changes.
    expect(applied.map((e) => e.actor.id)).toEqual([`rule:${up}`, `rule:${down}`]);
    expect((await ticket(t, tk.number)).priority).toBe('high');
  });

  it('notifies agents through automation.notify and records it', async () => {
    await rule(t, { name: 'Tell finance', kind: 'trigger', events: ['ticket.status_changed'], conditions: { filter: 'status:resolved tag:notifytest' }, actions: [{ type: 'notify', groupIds: [finance], text: 'A ticket was resolved' }] });
    const tk = await createTicket(t.admin, { subject: 'Notify', tags: ['notifytest'] });
    await settle(t);
    expect((await agent.patch(`/api/v1/tickets/${tk.number}`, { status: 'resolved' })).statusCode).toBe(200);
    await settle(t);
    const applied = (await events(t, tk.number)).find((e) => e.action === 'rule_applied');
    expect(applied?.to).toMatchObject({ name: 'Tell finance', actions: [{ type: 'notify', result: 'done' }] });
  });
});
