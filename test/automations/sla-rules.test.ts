import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';
import { events, group, rule, settle, ticket } from './support.js';

const targets = (firstResponse: number | null) => ({
  low: { firstResponse, nextResponse: null, resolution: null },
  medium: { firstResponse, nextResponse: null, resolution: null },
  high: { firstResponse, nextResponse: null, resolution: null },
  urgent: { firstResponse, nextResponse: null, resolution: null },
});

/** Rules and the sla module: a routing rule applies a policy; a breach triggers an escalation. */
describeEachDialect('automations: SLA policies and breach triggers', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('applies the SLA policy a routing rule names, and escalates when the ticket breaches it', async () => {
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Gold', condition: 'tag:never-matches-by-itself', targets: targets(60) });
    expect(policy.statusCode, policy.body).toBe(201);
    const senior = await t.user({ role: 'agent', name: 'Esme Escalation' });
    const escalations = await group(t, 'Escalations', [senior.userId]);
    await rule(t, { name: 'Gold plan', kind: 'routing', conditions: { keywords: ['goldplan'] }, actions: [{ type: 'apply_sla', policyId: policy.json().id }] });
    const breach = await rule(t, { name: 'Escalate breaches', kind: 'trigger', events: ['sla.breached'], actions: [{ type: 'escalate', groupId: escalations }, { type: 'add_note', body: 'SLA breached: escalated' }] });

    const tk = await createTicket(t.admin, { subject: 'goldplan question' });
    await settle(t);
    expect((await t.admin.get(`/api/v1/tickets/${tk.number}/sla`)).json().policy).toMatchObject({ name: 'Gold' });
    expect((await ticket(t, tk.number)).groupId).toBeNull();

    t.clock.advance(2 * 3_600_000);
    expect((await t.admin.post('/api/v1/sla/sweep')).statusCode).toBe(200);
    await settle(t);
    const after = await ticket(t, tk.number);
    expect(after).toMatchObject({ groupId: escalations, tags: ['escalated'] });
    expect(after.assignee?.id).toBe(senior.userId);
    const byRule = (await events(t, tk.number)).filter((e) => e.actor.id === `rule:${breach}`).map((e) => e.action);
    expect(byRule).toEqual(expect.arrayContaining(['group_changed', 'assigned', 'tags_changed', 'message_added', 'rule_applied']));
  });
});
