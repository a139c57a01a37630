import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { deliverAndProcess, mail, setupSupportMailbox } from '../mail/mail-support.js';
import { events, group, rule, settle, sweep, ticket } from './support.js';

const D = 86_400_000;
type Delivery = { kind: string; subject: string; to: { address: string }[]; automatic: boolean };

/**
 * Time rules over imported tickets whose historical timestamps make time pass, run by the
 * admin "sweep now" API and by moving the injected clock; auto-responses outside business hours.
 */
describeEachDialect('automations: time rules and after-hours replies', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  let tier2: string;
  const start = '2026-03-02T09:00:00.000Z';
  const mailbox = `help-${dialect}@acme.test`;

  const deliveries = async (number: number): Promise<Delivery[]> => (await t.admin.get(`/api/v1/tickets/${number}/mail-deliveries`)).json().items;
  const automationMail = async (number: number) => (await deliveries(number)).filter((d) => d.kind === 'automation');
  const daysAgo = (n: number, h = 0) => new Date(t.clock.now().getTime() - n * D + h * 3_600_000).toISOString();

  async function importTicket(over: Record<string, unknown>, messages: Record<string, unknown>[]): Promise<number> {
    const res = await t.admin.post('/api/v1/import/tickets', {
      tickets: [{ subject: 'Imported', requester: { email: `cust-${Math.random().toString(36).slice(2, 8)}@customer.test`, name: 'Cass Customer' }, priority: 'medium', ...over, messages }],
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().imported[0].number as number;
  }
  const waitingTicket = (since: number) =>
    importTicket({ status: 'waiting', subject: 'Printer offline', createdAt: daysAgo(since + 1), statusChangedAt: daysAgo(since) }, [
      { kind: 'customer', body: 'It is offline', createdAt: daysAgo(since + 1) },
      { kind: 'reply', authorEmail: agent.email, body: 'Can you send a photo?', createdAt: daysAgo(since) },
    ]);

  beforeAll(async () => {
    t = await createTestApp(dialect, { start });
    agent = await t.user({ role: 'agent', name: 'Tim Time' });
    const senior = await t.user({ role: 'agent', name: 'Sue Senior' });
    tier2 = await group(t, 'Tier 2', [senior.userId]);
    await setupSupportMailbox(t, mailbox);
  });
  afterAll(() => t.close());

  it('waiting on the customer: one reminder per episode, then a polite close; resolved tickets close; silent tickets escalate', async () => {
    const remind = await rule(t, {
      name: 'Remind after 3 days',
      kind: 'time',
      conditions: { filter: 'status:waiting updated>3d' },
      actions: [{ type: 'email_customer', subject: 'Still need help with "{{ ticket.subject }}"?', body: 'Hello {{ customer.name }},\nwe are waiting for your answer on #{{ ticket.number }}.' }],
    });
    await rule(t, {
      name: 'Close after 10 days',
      kind: 'time',
      conditions: { filter: 'status:waiting updated>10d' },
      actions: [{ type: 'email_customer', subject: 'Closing #{{ ticket.number }}', body: 'We have not heard back, so we are closing this request. Just reply to reopen it.' }, { type: 'set_status', status: 'closed' }],
    });
    await rule(t, { name: 'Close resolved', kind: 'time', conditions: { filter: 'status:resolved resolved>5d' }, actions: [{ type: 'set_status', status: 'closed' }] });
    await rule(t, { name: 'Escalate silence', kind: 'time', conditions: { filter: 'status:open,in_progress created>24h', noAgentReply: true }, actions: [{ type: 'escalate', groupId: tier2 }] });

    const waiting = await waitingTicket(5);
    const resolved = await importTicket({ status: 'resolved', createdAt: daysAgo(8), statusChangedAt: daysAgo(6) }, [
      { kind: 'customer', body: 'Help', createdAt: daysAgo(8) },
      { kind: 'reply', authorEmail: agent.email, body: 'Done', createdAt: daysAgo(6) },
    ]);
    const recentResolved = await importTicket({ status: 'resolved', createdAt: daysAgo(3), statusChangedAt: daysAgo(2) }, [{ kind: 'customer', body: 'Help', createdAt: daysAgo(3) }]);
    const silent = await importTicket({ status: 'open', createdAt: daysAgo(2) }, [{ kind: 'customer', body: 'Anyone there?', createdAt: daysAgo(2) }]);
    const answered = await importTicket({ status: 'open', createdAt: daysAgo(2) }, [
      { kind: 'customer', body: 'Anyone there?', createdAt: daysAgo(2) },
      { kind: 'reply', authorEmail: agent.email, body: 'Yes', createdAt: daysAgo(1) },
    ]);
    await settle(t);

    const first = await sweep(t);
    expect(first.acted).toBe(3);
    const reminders = await automationMail(waiting);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ subject: expect.stringContaining('Still need help with "Printer offline"?'), automatic: true });
    expect(await ticket(t, resolved)).toMatchObject({ status: 'closed' });
    expect(await ticket(t, recentResolved)).toMatchObject({ status: 'resolved' });
    expect(await ticket(t, silent)).toMatchObject({ groupId: tier2, tags: ['escalated'] });
    expect(await ticket(t, answered)).toMatchObject({ groupId: null, tags: [] });
    const applied = (await events(t, waiting)).filter((e) => e.action === 'rule_applied');
    expect(applied).toMatchObject([{ actor: { type: 'system', id: `rule:${remind}` }, to: { name: 'Remind after 3 days', actions: [{ type: 'email_customer', result: 'queued' }] } }]);

    // Sweeping again (or after a restart: the episode is a row) does not remind twice.
    expect((await sweep(t)).acted).toBe(0);
    t.clock.advance(2 * D);
    expect((await sweep(t)).acted).toBe(0);
    expect(await automationMail(waiting)).toHaveLength(1);

    // Still no reply 4 more days on: closed with a polite message.
    t.clock.advance(4 * D);
    await sweep(t);
    expect(await ticket(t, waiting)).toMatchObject({ status: 'closed' });
    expect((await automationMail(waiting)).map((m) => m.subject)).toEqual([expect.stringContaining('Still need help'), expect.stringContaining(`Closing #${waiting}`)]);
  });

  it('a new episode begins when the condition stops and starts again', async () => {
    const number = await waitingTicket(4);
    await settle(t);
    await sweep(t);
    expect(await automationMail(number)).toHaveLength(1);
    // The customer answers (the ticket leaves "waiting"): the episode ends.
    expect((await agent.patch(`/api/v1/tickets/${number}`, { status: 'in_progress' })).statusCode).toBe(200);
    expect((await sweep(t)).episodesEnded).toBeGreaterThanOrEqual(1);
    expect((await agent.patch(`/api/v1/tickets/${number}`, { status: 'waiting' })).statusCode).toBe(200);
    await sweep(t);
    expect(await automationMail(number)).toHaveLength(1);
    t.clock.advance(3 * D + 3_600_000);
    await sweep(t);
    expect(await automationMail(number)).toHaveLength(2);
  });

  it('a rule whose own action makes its filter false does not start a new episode by it: one reminder note, not one every 3 days', async () => {
    const remind = await rule(t, { name: 'Note after 3 days', kind: 'time', conditions: { filter: 'status:waiting updated>3d tag:note-remind' }, actions: [{ type: 'add_note', body: 'Reminder: still waiting' }] });
    const number = await importTicket({ status: 'waiting', tags: ['note-remind'], createdAt: daysAgo(5), statusChangedAt: daysAgo(4) }, [
      { kind: 'customer', body: 'It is offline', createdAt: daysAgo(5) },
      { kind: 'reply', authorEmail: agent.email, body: 'Can you send a photo?', createdAt: daysAgo(4) },
    ]);
    await settle(t);
    const notes = async () => (await events(t, number)).filter((e) => e.action === 'rule_applied' && e.actor.id === `rule:${remind}`).length;
    await sweep(t);
    expect(await notes()).toBe(1);
    // The note made the ticket "updated" now; 4 days on, the filter holds again: no second note.
    await sweep(t);
    t.clock.advance(4 * D);
    await sweep(t);
    expect(await notes()).toBe(1);
    // Something else changes it and it waits again: a new episode, and a new note 3 days on.
    expect((await agent.patch(`/api/v1/tickets/${number}`, { status: 'in_progress' })).statusCode).toBe(200);
    await sweep(t);
    expect((await agent.patch(`/api/v1/tickets/${number}`, { status: 'waiting' })).statusCode).toBe(200);
    t.clock.advance(3 * D + 3_600_000);
    await sweep(t);
    expect(await notes()).toBe(2);
  });

  it('answers mail that arrives outside the business hours of the mailbox calendar, never an auto-reply', async () => {
    const cal = await t.admin.post('/api/v1/sla/calendars', {
      name: 'Office',
      timeZone: 'Europe/Berlin',
      weeklyHours: { monday: [{ start: '09:00', end: '17:00' }], tuesday: [{ start: '09:00', end: '17:00' }], wednesday: [{ start: '09:00', end: '17:00' }], thursday: [{ start: '09:00', end: '17:00' }], friday: [{ start: '09:00', end: '17:00' }] },
    });
    expect(cal.statusCode, cal.body).toBe(201);
    const mbx = (await t.admin.get('/api/v1/mailboxes')).json().items.find((m: { address: string }) => m.address === mailbox) as { id: string };
    await rule(t, {
      name: 'After hours',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: { mailboxIds: [mbx.id], businessHours: { calendarId: cal.json().id, inside: false } },
      actions: [{ type: 'email_customer', subject: 'We are closed right now', body: 'Thanks {{ customer.name }}, we will answer on the next working day.' }],
    });
    const send = async (id: string, headers: Record<string, string> = {}) => {
      const res = await deliverAndProcess(t, mail({ from: `Nora <nora-${id}@night.test>`, to: mailbox, subject: `Question ${id}`, messageId: `<${id}-${dialect}@night.test>`, headers }), mailbox);
      await settle(t);
      return res.ticketNumber!;
    };
    t.clock.set('2026-03-21T22:00:00.000Z'); // Saturday night in Berlin
    const night = await send('night');
    expect((await automationMail(night)).map((m) => m.subject)).toEqual([expect.stringContaining('We are closed right now')]);
    const robot = await send('robot', { 'Auto-Submitted': 'auto-replied' });
    expect(await automationMail(robot)).toEqual([]);
    t.clock.set('2026-03-23T10:00:00.000Z'); // Monday 11:00 in Berlin
    const day = await send('day');
    expect(await automationMail(day)).toEqual([]);
  });
});
