import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { none, slaProbes } from './sla-support.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';


const nineToFive = [{ start: '09:00', end: '17:00' }];
const week = { monday: nineToFive, tuesday: nineToFive, wednesday: nineToFive, thursday: nineToFive, friday: nineToFive };

/** SLA clocks as an admin sets them up and agents see them, on an injected clock. */
describeEachDialect('sla: policies, due times, pause, warnings and breaches', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;

  const { settle, slaOf, detail, target, sweep, make } = slaProbes(() => t);
  const customerSession = async (ticket: Record<string, unknown>, email: string) => {
    const u = await t.user({ role: 'customer', name: 'Cora Customer', email, contactId: (ticket.requester as { id: string }).id });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: u.email, password: 'correct horse battery' } });
    const cookie = `tessera_session=${res.cookies.find((c) => c.name === 'tessera_session')!.value}`;
    return (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload, headers: { cookie, 'x-csrf-token': res.json().csrfToken as string } });
  };
  const numbers = async (query: string) => ((await t.admin.get(`/api/v1/tickets?${query}&limit=200`)).json().items as { number: number }[]).map((i) => i.number);

  beforeAll(async () => {
    t = await createTestApp(dialect, { start: '2026-03-02T09:00:00.000Z' });
    agent = await t.user({ role: 'agent', name: 'Sam Agent' });
  });
  afterAll(() => t.close());

  it('a new install has the default policy; an urgent ticket is due in 1 h (first response) and 4 h (resolution)', async () => {
    const policies = (await t.admin.get('/api/v1/sla/policies')).json().items;
    expect(policies).toEqual([
      expect.objectContaining({
        name: 'Default',
        condition: '',
        businessTime: false,
        targets: {
          urgent: { firstResponse: 60, nextResponse: 60, resolution: 240 },
          high: { firstResponse: 240, nextResponse: 240, resolution: null },
          medium: { firstResponse: 1440, nextResponse: 1440, resolution: null },
          low: { firstResponse: 2880, nextResponse: 2880, resolution: null },
        },
      }),
    ]);
    const tk = await make({ priority: 'urgent' });
    expect(await slaOf(tk.number)).toEqual({ target: 'first_response', dueAt: '2026-03-02T10:00:00.000Z', breached: false, paused: false });
    const d = await detail(tk.number);
    expect(d.policy?.name).toBe('Default');
    expect(d.targets.map((x) => [x.target, x.dueAt])).toEqual([
      ['first_response', '2026-03-02T10:00:00.000Z'],
      ['resolution', '2026-03-02T13:00:00.000Z'],
    ]);
    const low = await make({ priority: 'low' });
    expect((await slaOf(low.number))?.dueAt).toBe('2026-03-04T09:00:00.000Z');
  });

  it('only admins manage calendars and policies; bad input is a clear 400', async () => {
    expect((await agent.get('/api/v1/sla/policies')).statusCode).toBe(403);
    expect((await agent.post('/api/v1/sla/calendars', { name: 'x', timeZone: 'UTC', weeklyHours: {} })).statusCode).toBe(403);
    const badZone = await t.admin.post('/api/v1/sla/calendars', { name: 'Mars', timeZone: 'Mars/Olympus', weeklyHours: week });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().error.code).toBe('validation_failed');
    const backwards = await t.admin.post('/api/v1/sla/calendars', { name: 'Bad', timeZone: 'UTC', weeklyHours: { monday: [{ start: '17:00', end: '09:00' }] } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.message).toMatch(/weeklyHours.monday/);
    const badCondition = await t.admin.post('/api/v1/sla/policies', { name: 'Broken', condition: 'priority>>high', targets: { low: none, medium: none, high: none, urgent: none } });
    expect(badCondition.statusCode).toBe(400);
    expect(badCondition.json().error.code).toBe('filter_syntax');
    const noCalendar = await t.admin.post('/api/v1/sla/policies', { name: 'No cal', businessTime: true, targets: { low: none, medium: none, high: none, urgent: none } });
    expect(noCalendar.statusCode).toBe(400);
    expect((await t.admin.get('/api/v1/sla/policies')).json().items).toHaveLength(1);
  });

  it('business hours: a ticket created after hours on Friday is due on the next working day, holidays skipped', async () => {
    const cal = await t.admin.post('/api/v1/sla/calendars', { name: 'Berlin office', timeZone: 'Europe/Berlin', weeklyHours: week, holidays: ['2026-03-09'] });
    expect(cal.statusCode).toBe(201);
    expect(cal.json().weeklyHours).toMatchObject({ monday: nineToFive, saturday: [] });
    const policy = await t.admin.post('/api/v1/sla/policies', {
      name: 'VIP business hours',
      position: 0,
      condition: 'tag:vip',
      businessTime: true,
      calendarId: cal.json().id,
      targets: { low: none, medium: none, high: { firstResponse: 120, nextResponse: null, resolution: null }, urgent: none },
    });
    expect(policy.statusCode).toBe(201);
    // Friday 16:30 in Berlin: 30 minutes on Friday, Monday is a holiday, 90 minutes on Tuesday from 09:00 (08:00Z).
    t.clock.set('2026-03-06T15:30:00.000Z');
    const vip = await make({ priority: 'high', tags: ['vip'] });
    expect((await detail(vip.number)).policy?.name).toBe('VIP business hours');
    expect(await slaOf(vip.number)).toMatchObject({ target: 'first_response', dueAt: '2026-03-10T09:30:00.000Z' });
    // Without the tag the default policy (calendar time) applies.
    const plain = await make({ priority: 'high' });
    expect(await slaOf(plain.number)).toMatchObject({ dueAt: '2026-03-06T19:30:00.000Z' });
    // A calendar in use cannot be deleted.
    expect((await t.admin.delete(`/api/v1/sla/calendars/${cal.json().id}`)).statusCode).toBe(409);
    // Removing the holiday moves the due time of tickets already on the calendar.
    expect((await t.admin.patch(`/api/v1/sla/calendars/${cal.json().id}`, { holidays: [] })).statusCode).toBe(200);
    await settle();
    expect((await slaOf(vip.number))?.dueAt).toBe('2026-03-09T09:30:00.000Z');
    expect((await t.admin.delete(`/api/v1/sla/policies/${policy.json().id}`)).statusCode).toBe(200);
    await settle();
    expect((await detail(vip.number)).policy?.name).toBe('Default');
    const audit = async (action: string) => ((await t.admin.get(`/api/v1/audit-log?action=${action}`)).json().items as { targetId: string; data: Record<string, unknown> }[]).filter((a) => a.targetId === policy.json().id);
    expect(await audit('sla_policy.created')).toEqual([expect.objectContaining({ actorId: t.admin.userId, targetType: 'sla_policy', data: { name: 'VIP business hours' } })]);
    expect(await audit('sla_policy.deleted')).toEqual([expect.objectContaining({ actorId: t.admin.userId, data: { name: 'VIP business hours' } })]);
  });

  it('creating, changing and deleting a calendar is audited, as policies are', async () => {
    const cal = await t.admin.post('/api/v1/sla/calendars', { name: 'Audited office', timeZone: 'Europe/Paris', weeklyHours: week });
    expect(cal.statusCode).toBe(201);
    const id = cal.json().id as string;
    expect((await t.admin.patch(`/api/v1/sla/calendars/${id}`, { name: 'Audited office (Paris)', holidays: ['2026-12-25'] })).statusCode).toBe(200);
    expect((await t.admin.delete(`/api/v1/sla/calendars/${id}`)).statusCode).toBe(200);
    const audit = async (action: string) => ((await t.admin.get(`/api/v1/audit-log?action=${action}`)).json().items as { targetId: string }[]).filter((a) => a.targetId === id);
    expect(await audit('sla_calendar.created')).toEqual([expect.objectContaining({ actorId: t.admin.userId, targetType: 'sla_calendar', data: { name: 'Audited office' } })]);
    expect(await audit('sla_calendar.updated')).toEqual([expect.objectContaining({ actorId: t.admin.userId, targetType: 'sla_calendar', data: { name: 'Audited office (Paris)', changed: ['name', 'holidays'] } })]);
    expect(await audit('sla_calendar.deleted')).toEqual([expect.objectContaining({ actorId: t.admin.userId, targetType: 'sla_calendar', data: { name: 'Audited office (Paris)' } })]);
  });

  it('a calendar or policy an automation rule uses cannot be deleted: 409 naming the rules', async () => {
    const cal = await t.admin.post('/api/v1/sla/calendars', { name: 'Rule hours', timeZone: 'UTC', weeklyHours: week });
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Rule policy', condition: 'tag:rule-policy', targets: { low: none, medium: none, high: none, urgent: none } });
    expect([cal.statusCode, policy.statusCode]).toEqual([201, 201]);
    const rule = await t.admin.post('/api/v1/automations/rules', {
      name: 'After hours gold',
      kind: 'trigger',
      events: ['ticket.created'],
      active: false,
      conditions: { businessHours: { calendarId: cal.json().id, inside: false } },
      actions: [{ type: 'apply_sla', policyId: policy.json().id }],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const ruleId = rule.json().id as string;

    const calDelete = await t.admin.delete(`/api/v1/sla/calendars/${cal.json().id}`);
    expect(calDelete.statusCode).toBe(409);
    expect(calDelete.json().error).toMatchObject({ code: 'conflict', details: { policyIds: [], ruleIds: [ruleId] } });
    expect(calDelete.json().error.message).toContain('"After hours gold"');
    const policyDelete = await t.admin.delete(`/api/v1/sla/policies/${policy.json().id}`);
    expect(policyDelete.statusCode).toBe(409);
    expect(policyDelete.json().error).toMatchObject({ code: 'conflict', details: { ruleIds: [ruleId] } });
    // Both are still there, and go once the rule does not name them.
    expect((await t.admin.get(`/api/v1/sla/calendars/${cal.json().id}`)).statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/sla/policies/${policy.json().id}`)).statusCode).toBe(200);
    expect((await t.admin.delete(`/api/v1/automations/rules/${ruleId}`)).statusCode).toBe(200);
    expect((await t.admin.delete(`/api/v1/sla/calendars/${cal.json().id}`)).statusCode).toBe(200);
    expect((await t.admin.delete(`/api/v1/sla/policies/${policy.json().id}`)).statusCode).toBe(200);
  });

  it('warns at 75 % of the allowed time and breaches at the due time, each recorded once', async () => {
    t.clock.set('2026-03-02T09:00:00.000Z');
    const tk = await make({ priority: 'urgent', assigneeId: agent.userId });
    t.clock.set('2026-03-02T09:44:00.000Z');
    await sweep();
    expect((await target(tk.number, 'first_response'))?.warnedAt).toBeNull();
    t.clock.set('2026-03-02T09:46:00.000Z');
    await sweep();
    const warned = await target(tk.number, 'first_response');
    expect(warned?.warnedAt).toBe('2026-03-02T09:46:00.000Z');
    t.clock.set('2026-03-02T09:50:00.000Z');
    await sweep();
    expect((await target(tk.number, 'first_response'))?.warnedAt).toBe('2026-03-02T09:46:00.000Z');
    expect(await slaOf(tk.number)).toMatchObject({ breached: false });
    t.clock.set('2026-03-02T10:00:30.000Z');
    const first = await sweep();
    expect(first.breached).toBeGreaterThanOrEqual(1);
    expect((await target(tk.number, 'first_response'))?.breachedAt).toBe('2026-03-02T10:00:30.000Z');
    expect(await slaOf(tk.number)).toEqual({ target: 'first_response', dueAt: '2026-03-02T10:00:00.000Z', breached: true, paused: false });
    t.clock.set('2026-03-02T10:05:00.000Z');
    expect(await sweep()).toEqual({ warned: 0, breached: 0 });
    expect((await target(tk.number, 'first_response'))?.breachedAt).toBe('2026-03-02T10:00:30.000Z');
    // Overdue view and the filter keys see it.
    expect(await numbers('view=overdue')).toContain(tk.number);
    expect(await numbers(`q=${encodeURIComponent('sla:breached')}`)).toContain(tk.number);
    expect(await numbers(`q=${encodeURIComponent('due<2h')}`)).toContain(tk.number);
    // The reply meets first response; the ticket now shows its resolution clock, not breached.
    expect((await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'On it' })).statusCode).toBe(201);
    await settle();
    expect(await slaOf(tk.number)).toEqual({ target: 'resolution', dueAt: '2026-03-02T13:00:00.000Z', breached: false, paused: false });
    expect(await numbers('view=overdue')).not.toContain(tk.number);
    expect(await numbers(`q=${encodeURIComponent('due<2h')}`)).not.toContain(tk.number);
    expect(await numbers(`q=${encodeURIComponent('due<4h')}`)).toContain(tk.number);
  });

  it('pauses while waiting on the customer and resumes on their reply, shifting due times by the pause', async () => {
    t.clock.set('2026-03-03T09:00:00.000Z');
    const tk = await make({ priority: 'urgent' });
    t.clock.set('2026-03-03T09:30:00.000Z');
    expect((await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'Can you send a log?', setStatus: 'waiting' })).statusCode).toBe(201);
    await settle();
    expect(await slaOf(tk.number)).toEqual({ target: 'resolution', dueAt: null, breached: false, paused: true });
    expect(await numbers(`q=${encodeURIComponent('sla:paused')}`)).toContain(tk.number);
    // Paused clocks are never swept: long past the old due time nothing breaches.
    t.clock.set('2026-03-03T14:00:00.000Z');
    await sweep();
    expect((await target(tk.number, 'resolution'))?.breachedAt).toBeNull();
    // The customer answers after 4.5 h: resolution moves from 13:00 to 17:30; their message opens a next-response clock.
    const post = await customerSession(tk, `log-${dialect}@portal.test`);
    expect((await post(`/api/v1/tickets/${tk.number}/messages`, { body: 'Here is the log' })).statusCode).toBe(201);
    await settle();
    const d = await detail(tk.number);
    expect(d.paused).toBe(false);
    expect(d.targets.find((x) => x.target === 'resolution')?.dueAt).toBe('2026-03-03T17:30:00.000Z');
    expect(d.targets.find((x) => x.target === 'next_response')).toMatchObject({ startAt: '2026-03-03T14:00:00.000Z', dueAt: '2026-03-03T15:00:00.000Z', metAt: null });
    expect(await slaOf(tk.number)).toEqual({ target: 'next_response', dueAt: '2026-03-03T15:00:00.000Z', breached: false, paused: false });
    t.clock.set('2026-03-03T14:20:00.000Z');
    await agent.post(`/api/v1/tickets/${tk.number}/messages`, { kind: 'reply', body: 'Thanks, fixed.' });
    await settle();
    expect((await target(tk.number, 'next_response'))?.metAt).toBe('2026-03-03T14:20:00.000Z');
    // Resolving meets resolution; no clock runs any more.
    await agent.patch(`/api/v1/tickets/${tk.number}`, { status: 'resolved' });
    await settle();
    expect(await slaOf(tk.number)).toBeNull();
    expect((await target(tk.number, 'resolution'))?.metAt).toBe('2026-03-03T14:20:00.000Z');
  });

  it('recomputes due times when the priority changes, and keeps a policy applied by hand', async () => {
    t.clock.set('2026-03-04T09:00:00.000Z');
    const tk = await make({ priority: 'medium' });
    expect((await slaOf(tk.number))?.dueAt).toBe('2026-03-05T09:00:00.000Z');
    t.clock.set('2026-03-04T09:10:00.000Z');
    await agent.patch(`/api/v1/tickets/${tk.number}`, { priority: 'urgent' });
    await settle();
    expect((await slaOf(tk.number))?.dueAt).toBe('2026-03-04T10:00:00.000Z');
    expect((await target(tk.number, 'resolution'))?.dueAt).toBe('2026-03-04T13:00:00.000Z');

    const strict = await t.admin.post('/api/v1/sla/policies', {
      name: 'Strict',
      position: 5,
      condition: 'tag:never-matches-anything',
      targets: { low: none, medium: none, high: none, urgent: { firstResponse: 15, nextResponse: null, resolution: null } },
    });
    expect((await agent.post(`/api/v1/tickets/${tk.number}/sla`, { policyId: strict.json().id })).statusCode).toBe(403);
    const applied = await t.admin.post(`/api/v1/tickets/${tk.number}/sla`, { policyId: strict.json().id });
    expect(applied.statusCode).toBe(200);
    expect(applied.json().policy.name).toBe('Strict');
    expect((await slaOf(tk.number))?.dueAt).toBe('2026-03-04T09:15:00.000Z');
    // A later edit does not fall back to matching conditions.
    await agent.patch(`/api/v1/tickets/${tk.number}`, { tags: ['billing'] });
    await settle();
    expect((await detail(tk.number)).policy?.name).toBe('Strict');
    // Changing the policy re-times its tickets.
    await t.admin.patch(`/api/v1/sla/policies/${strict.json().id}`, { targets: { low: none, medium: none, high: none, urgent: { firstResponse: 30, nextResponse: null, resolution: null } } });
    await settle();
    expect((await slaOf(tk.number))?.dueAt).toBe('2026-03-04T09:30:00.000Z');
    const audit = (await t.admin.get('/api/v1/audit-log?action=sla_policy.updated')).json().items;
    expect(audit).toEqual([expect.objectContaining({ actorId: t.admin.userId, targetType: 'sla_policy', targetId: strict.json().id, data: { name: 'Strict', changed: ['targets'] } })]);
  });

  it('imported tickets keep their history: a reply given after the due time is recorded as breached', async () => {
    t.clock.set('2026-03-05T12:00:00.000Z');
    const res = await t.admin.post('/api/v1/import/tickets', {
      tickets: [
        {
          subject: 'Old urgent one',
          priority: 'urgent',
          status: 'open',
          requester: { email: 'old@customer.test' },
          createdAt: '2026-03-05T08:00:00.000Z',
          messages: [
            { kind: 'customer', body: 'Help', createdAt: '2026-03-05T08:00:00.000Z' },
            { kind: 'reply', body: 'Late answer', authorEmail: agent.email, createdAt: '2026-03-05T09:30:00.000Z' },
          ],
        },
      ],
    });
    if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`import failed: ${res.statusCode} ${res.body}`);
    await settle();
    const n = (await numbers(`q=${encodeURIComponent('subject:"Old urgent one"')}`))[0]!;
    const first = await target(n, 'first_response');
    expect(first).toMatchObject({ dueAt: '2026-03-05T09:00:00.000Z', metAt: '2026-03-05T09:30:00.000Z', breachedAt: '2026-03-05T09:00:00.000Z' });
    // Resolution (due 12:00) is past: the next sweep breaches it.
    await sweep();
    expect((await target(n, 'resolution'))?.breachedAt).toBe('2026-03-05T12:00:00.000Z');
    expect(await slaOf(n)).toMatchObject({ target: 'resolution', breached: true });
  });

  it('a merge re-matches the target: the tag it takes from the source brings that tag\'s policy', async () => {
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Gold', position: -10, condition: 'tag:gold', targets: { low: none, medium: { firstResponse: 30, nextResponse: null, resolution: null }, high: none, urgent: none } });
    expect(policy.statusCode).toBe(201);
    const target = await make({ subject: 'Plain ticket' });
    const source = await make({ subject: 'Gold customer', tags: ['gold'] });
    expect((await detail(target.number)).policy?.name).toBe('Default');
    expect((await t.admin.post(`/api/v1/tickets/${target.number}/merge`, { sourceNumbers: [source.number] })).statusCode).toBe(200);
    await settle();
    expect((await detail(target.number)).policy?.name).toBe('Gold');
    expect((await t.admin.delete(`/api/v1/sla/policies/${policy.json().id}`)).statusCode).toBe(200);
  });
});
