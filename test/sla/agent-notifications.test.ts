import { afterAll, beforeAll, expect, it } from 'vitest';
import { inTransaction } from '../../server/platform/db/transaction.js';
import { emit } from '../../server/platform/events/emit.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';

type Note = { kind: string; ticket: { number: number }; excerpt: string; actor: { name: string } };
type OutboxItem = { kind: string; ticketNumber: number; to: { address: string }[]; subject: string; rendered: { text: string; autoSubmitted: string | null } };

/** Agent notifications: per-agent preferences, SLA warnings and breaches, callbacks, rule notices, email. */
describeEachDialect('agent notifications: preferences, SLA alerts, email', (dialect) => {
  let t: TestApp;
  let bob: ApiClient;
  let carl: ApiClient;
  let groupId: string;

  const settle = async () => {
    await t.deps.events.idle();
    await t.deps.jobs.drain();
    await t.deps.events.idle();
  };
  const bell = async (who: ApiClient): Promise<Note[]> => (await who.get('/api/v1/notifications?limit=100')).json().items;
  const outbox = async (): Promise<OutboxItem[]> => (await t.admin.get('/api/v1/mail/outbox?limit=100')).json().items;
  const sweepAt = async (iso: string) => {
    t.clock.set(iso);
    expect((await t.admin.post('/api/v1/sla/sweep')).statusCode).toBe(200);
    await settle();
  };

  beforeAll(async () => {
    delete process.env.SMTP_URL;
    t = await createTestApp(dialect, { start: '2026-03-02T09:00:00.000Z' });
    groupId = (await t.admin.post('/api/v1/groups', { name: `Support ${dialect}` })).json().id as string;
    bob = await t.user({ role: 'agent', name: 'Bob Builder', email: `bob-an-${dialect}@tessera.test`, groupIds: [groupId] });
    carl = await t.user({ role: 'agent', name: 'Carl Colleague', email: `carl-an-${dialect}@tessera.test`, groupIds: [groupId] });
    expect((await t.admin.post('/api/v1/mailboxes', { address: `support-${dialect}@acme.test`, displayName: 'Acme Support' })).statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('every agent starts with the defaults and changes only what they send', async () => {
    const defaults = (await bob.get('/api/v1/notifications/preferences')).json();
    expect(defaults).toMatchObject({ assigned: { inApp: true, email: false }, sla_mine: { inApp: true, email: false }, sla_group: { inApp: false, email: false } });
    const changed = await bob.patch('/api/v1/notifications/preferences', { assigned: { email: true }, sla_mine: { email: true } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ assigned: { inApp: true, email: true }, sla_mine: { inApp: true, email: true }, mention: { inApp: true, email: false } });
    expect((await bob.get('/api/v1/notifications/preferences')).json().assigned).toEqual({ inApp: true, email: true });
    expect((await carl.get('/api/v1/notifications/preferences')).json().assigned).toEqual({ inApp: true, email: false });
    const bad = await bob.patch('/api/v1/notifications/preferences', { assigned: { sms: true } });
    expect(bad.statusCode).toBe(400);
    expect((await bob.patch('/api/v1/notifications/preferences', {})).statusCode).toBe(400);
  });

  it('an assignment reaches the bell and, when chosen, the agent by email through the outbound path', async () => {
    const tk = await createTicket(t.admin, { subject: 'Mail me about it' });
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: bob.userId });
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { groupId });
    await settle();
    expect((await bell(bob)).filter((n) => n.ticket.number === tk.number && n.kind === 'assigned')).toHaveLength(1);
    const mails = (await outbox()).filter((m) => m.kind === 'agent_notification' && m.ticketNumber === tk.number);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual([expect.objectContaining({ address: `bob-an-${dialect}@tessera.test` })]);
    expect(mails[0]!.subject).toContain(`[#${tk.number}]`);
    expect(mails[0]!.rendered.text).toContain('A ticket was assigned to you by Ada Admin');
    expect(mails[0]!.rendered.autoSubmitted).not.toBeNull();
    // Carl kept the defaults: in the bell only, never by mail.
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: carl.userId });
    await settle();
    expect((await bell(carl)).filter((n) => n.ticket.number === tk.number && n.kind === 'assigned')).toHaveLength(1);
    expect((await outbox()).filter((m) => m.kind === 'agent_notification' && m.to.some((a) => a.address.startsWith('carl-an')))).toEqual([]);
  });

  it('SLA warning and breach notify the assignee once each; group members only when they ask for it', async () => {
    t.clock.set('2026-03-02T09:00:00.000Z');
    const tk = await createTicket(t.admin, { subject: 'Urgent outage', priority: 'urgent', assigneeId: bob.userId, groupId });
    await settle();
    await sweepAt('2026-03-02T09:46:00.000Z');
    await sweepAt('2026-03-02T09:50:00.000Z');
    const slaNotes = async (who: ApiClient) => (await bell(who)).filter((n) => n.ticket.number === tk.number && n.kind.startsWith('sla'));
    expect((await slaNotes(bob)).map((n) => [n.kind, n.excerpt])).toEqual([['sla_warning', 'First response due soon: due 2026-03-02 10:00 UTC']]);
    await carl.patch('/api/v1/notifications/preferences', { sla_group: { inApp: true } });
    await sweepAt('2026-03-02T10:01:00.000Z');
    await sweepAt('2026-03-02T10:05:00.000Z');
    expect((await slaNotes(bob)).map((n) => n.kind)).toEqual(['sla_breached', 'sla_warning']);
    expect((await slaNotes(carl)).map((n) => [n.kind, n.actor.name])).toEqual([['sla_breached', 'Tessera']]);
    // Bob chose SLA and assignment mail: one for the warning, one for the breach, and one for being
    // assigned the ticket as it was made.
    const mails = (await outbox()).filter((m) => m.kind === 'agent_notification' && m.ticketNumber === tk.number);
    expect(mails.map((m) => m.rendered.text.split('\n')[0]).sort()).toEqual(['A ticket was assigned to you by Ada Admin', 'SLA breached', 'SLA due soon']);
  });

  it('switching the bell off for a kind stops it; callbacks and rule notices reach whom they name', async () => {
    await bob.patch('/api/v1/notifications/preferences', { assigned: { inApp: false, email: false } });
    const tk = await createTicket(t.admin, { subject: 'Quiet please', groupId });
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { assigneeId: bob.userId });
    await settle();
    expect((await bell(bob)).filter((n) => n.ticket.number === tk.number && n.kind === 'assigned')).toEqual([]);

    const ctx = t.systemCtx();
    await inTransaction(ctx, async (tx) => {
      await emit(tx, 'callback.due', { ticketId: tk.id, number: tk.number, callbackId: 'cb-1', userId: bob.userId, dueAt: '2026-03-02T11:00:00.000Z' });
      await emit(tx, 'automation.notify', { ticketId: tk.id, number: tk.number, userIds: [bob.userId], groupIds: [groupId], text: 'VIP customer waiting', ruleId: 'rule-1' });
    });
    await settle();
    expect((await bell(bob)).filter((n) => n.ticket.number === tk.number).map((n) => [n.kind, n.excerpt])).toEqual(
      expect.arrayContaining([
        ['callback_due', 'Callback due 2026-03-02 11:00 UTC'],
        ['automation', 'VIP customer waiting'],
      ]),
    );
    // The rule named the group: Carl hears of it once, Bob (named twice) once.
    expect((await bell(carl)).filter((n) => n.ticket.number === tk.number && n.kind === 'automation').map((n) => n.actor.name)).toEqual(['Automation']);
    expect((await bell(bob)).filter((n) => n.kind === 'automation')).toHaveLength(1);
  });
});
