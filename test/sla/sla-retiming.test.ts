import { afterAll, beforeAll, expect, it } from 'vitest';
import { findCalendarRow, findPolicyRow, saveCalendarRow, savePolicyRow } from '../../server/modules/sla/sla-config.repository.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { none, slaProbes } from './sla-support.js';
import { createTestApp, type TestApp } from '../support/test-app.js';


const mediumFirst = (minutes: number) => ({ low: none, medium: { firstResponse: minutes, nextResponse: null, resolution: null }, high: none, urgent: none });
const hourOnMonday = { monday: [{ start: '09:00', end: '10:00' }] };

/** Calendars that never open, due times out of reach, re-timed clocks and merged tickets. */
describeEachDialect('sla: calendars that must open, re-timed stamps, merged tickets', (dialect) => {
  let t: TestApp;

  const { settle, slaOf, detail, target, sweep, make } = slaProbes(() => t);
  const numbers = async (query: string) => ((await t.admin.get(`/api/v1/tickets?${query}&limit=200`)).json().items as { number: number }[]).map((i) => i.number);
  const policyBreaches = async (name: string) => {
    const res = await t.admin.get('/api/v1/reports/sla?from=2026-03-01&to=2026-03-31');
    expect(res.statusCode, res.body).toBe(200);
    const table = (res.json().tables as { id: string; rows: { cells: Record<string, unknown> }[] }[]).find((x) => x.id === 'sla-policy')!;
    return table.rows.find((r) => r.cells.key === name)?.cells;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { start: '2026-03-02T09:00:00.000Z' });
  });
  afterAll(() => t.close());

  it('refuses a calendar without any open hour, on create and on update, naming weeklyHours', async () => {
    const empty = await t.admin.post('/api/v1/sla/calendars', { name: 'Empty', timeZone: 'UTC', weeklyHours: {} });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/weeklyHours/);
    const allEmpty = await t.admin.post('/api/v1/sla/calendars', { name: 'Empty days', timeZone: 'UTC', weeklyHours: { monday: [], sunday: [] } });
    expect(allEmpty.statusCode).toBe(400);
    const cal = await t.admin.post('/api/v1/sla/calendars', { name: 'One hour', timeZone: 'UTC', weeklyHours: hourOnMonday });
    expect(cal.statusCode).toBe(201);
    const emptied = await t.admin.patch(`/api/v1/sla/calendars/${cal.json().id}`, { weeklyHours: {} });
    expect(emptied.statusCode).toBe(400);
    expect(emptied.json().error.message).toMatch(/weeklyHours/);
    expect((await t.admin.get(`/api/v1/sla/calendars/${cal.json().id}`)).json().weeklyHours.monday).toEqual(hourOnMonday.monday);
    // Other fields of the calendar may still change.
    expect((await t.admin.patch(`/api/v1/sla/calendars/${cal.json().id}`, { name: 'One hour a week' })).statusCode).toBe(200);
  });

  it('refuses a target longer than three years of the calendar\'s open time, on the policy and on the calendar', async () => {
    const cal = (await t.admin.post('/api/v1/sla/calendars', { name: 'Monday hour', timeZone: 'UTC', weeklyHours: hourOnMonday })).json().id as string;
    // 1 h a week: about 156 h (9,360 minutes) in three years.
    const tooLong = await t.admin.post('/api/v1/sla/policies', { name: 'Too long', condition: 'tag:never', businessTime: true, calendarId: cal, targets: { ...mediumFirst(60), high: { firstResponse: 60, nextResponse: null, resolution: 10_000 } } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.message).toMatch(/targets\.high\.resolution/);
    const ok = await t.admin.post('/api/v1/sla/policies', { name: 'Weekly hour', condition: 'tag:never', businessTime: true, calendarId: cal, targets: mediumFirst(9000) });
    expect(ok.statusCode).toBe(201);
    const patched = await t.admin.patch(`/api/v1/sla/policies/${ok.json().id}`, { targets: mediumFirst(20_000) });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.message).toMatch(/targets\.medium\.firstResponse/);
    // Calendar time has no such limit.
    expect((await t.admin.patch(`/api/v1/sla/policies/${ok.json().id}`, { businessTime: false, targets: mediumFirst(525_600) })).statusCode).toBe(200);
    expect((await t.admin.patch(`/api/v1/sla/policies/${ok.json().id}`, { businessTime: true, targets: mediumFirst(9000) })).statusCode).toBe(200);
    // Closing the calendar on most Mondays would leave the policy's target out of reach.
    const mondays = Array.from({ length: 120 }, (_, i) => new Date(Date.UTC(2026, 2, 2 + 7 * i)).toISOString().slice(0, 10));
    const holidays = await t.admin.patch(`/api/v1/sla/calendars/${cal}`, { holidays: mondays });
    expect(holidays.statusCode).toBe(400);
    expect(holidays.json().error.message).toMatch(/holidays.*Weekly hour/);
    expect((await t.admin.delete(`/api/v1/sla/policies/${ok.json().id}`)).statusCode).toBe(200);
  });

  it('a due time out of reach never stops the clocks: the ticket keeps its policy and its other targets, re-timing runs', async () => {
    const cal = (await t.admin.post('/api/v1/sla/calendars', { name: 'Legacy', timeZone: 'UTC', weeklyHours: hourOnMonday })).json().id as string;
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Legacy hours', position: -20, condition: 'tag:legacy', businessTime: true, calendarId: cal, targets: { ...mediumFirst(60), medium: { firstResponse: 60, nextResponse: null, resolution: 600 } } });
    expect(policy.statusCode).toBe(201);
    // Saved before these checks existed: a resolution target no calendar hour reaches.
    const db = t.deps.database.db;
    const row = (await findPolicyRow(db, policy.json().id))!;
    await savePolicyRow(db, { ...row, targets: { ...row.targets, medium: { firstResponse: 60, nextResponse: null, resolution: 525_600 } } }, false);
    t.clock.set('2026-03-02T09:00:00.000Z');
    const tk = await make({ priority: 'medium', tags: ['legacy'] });
    const d = await detail(tk.number);
    expect(d.policy?.name).toBe('Legacy hours');
    expect(d.targets.map((x) => [x.target, x.dueAt])).toEqual([['first_response', '2026-03-02T10:00:00.000Z']]);
    expect(await slaOf(tk.number)).toMatchObject({ target: 'first_response', dueAt: '2026-03-02T10:00:00.000Z' });
    // And a calendar saved with no hour at all: the recompute job runs through (the new name shows
    // it reached the ticket) and leaves the ticket its policy, with no target it could reach.
    await saveCalendarRow(db, { ...(await findCalendarRow(db, cal))!, weeklyHours: [[], [], [], [], [], [], []] }, false);
    expect((await t.admin.patch(`/api/v1/sla/policies/${policy.json().id}`, { name: 'Legacy hours (closed)' })).statusCode).toBe(200);
    await settle();
    expect(await detail(tk.number)).toMatchObject({ policy: { name: 'Legacy hours (closed)' }, targets: [] });
    expect(await slaOf(tk.number)).toBeNull();
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { tags: [] });
    await settle();
    expect((await detail(tk.number)).policy?.name).toBe('Default');
    expect((await t.admin.delete(`/api/v1/sla/policies/${policy.json().id}`)).statusCode).toBe(200);
  });

  it('longer targets clear the breach of the old due time; the sweep warns and breaches for the new one, reports keep the old breach', async () => {
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Tight', position: -10, condition: 'tag:tight', targets: mediumFirst(15) });
    expect(policy.statusCode).toBe(201);
    t.clock.set('2026-03-10T09:00:00.000Z');
    const tk = await make({ priority: 'medium', tags: ['tight'] });
    t.clock.set('2026-03-10T09:16:00.000Z');
    await sweep();
    expect(await slaOf(tk.number)).toEqual({ target: 'first_response', dueAt: '2026-03-10T09:15:00.000Z', breached: true, paused: false });
    expect(await policyBreaches('Tight')).toMatchObject({ first_response: 1 });

    expect((await t.admin.patch(`/api/v1/sla/policies/${policy.json().id}`, { targets: mediumFirst(60) })).statusCode).toBe(200);
    await settle();
    expect(await slaOf(tk.number)).toEqual({ target: 'first_response', dueAt: '2026-03-10T10:00:00.000Z', breached: false, paused: false });
    expect(await target(tk.number, 'first_response')).toMatchObject({ warnedAt: null, breachedAt: null });
    expect(await numbers(`q=${encodeURIComponent('sla:breached')}`)).not.toContain(tk.number);
    // The breach that happened stays in the report.
    expect(await policyBreaches('Tight')).toMatchObject({ first_response: 1 });

    t.clock.set('2026-03-10T09:30:00.000Z');
    await sweep();
    expect((await target(tk.number, 'first_response'))?.warnedAt).toBeNull();
    t.clock.set('2026-03-10T09:46:00.000Z');
    await sweep();
    expect((await target(tk.number, 'first_response'))?.warnedAt).toBe('2026-03-10T09:46:00.000Z');
    t.clock.set('2026-03-10T10:01:00.000Z');
    await sweep();
    expect((await target(tk.number, 'first_response'))?.breachedAt).toBe('2026-03-10T10:01:00.000Z');
    expect(await slaOf(tk.number)).toMatchObject({ dueAt: '2026-03-10T10:00:00.000Z', breached: true });
    // One ticket breached its first response, counted once.
    expect(await policyBreaches('Tight')).toMatchObject({ first_response: 1 });
    await t.admin.patch(`/api/v1/tickets/${tk.number}`, { tags: [] });
    await settle();
  });

  it('tickets of a deleted policy matched to another take its due time, not the old breach', async () => {
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Brief', position: -10, condition: 'tag:brief', targets: mediumFirst(15) });
    t.clock.set('2026-03-11T09:00:00.000Z');
    const tk = await make({ priority: 'medium', tags: ['brief'] });
    t.clock.set('2026-03-11T09:20:00.000Z');
    await sweep();
    expect(await slaOf(tk.number)).toMatchObject({ breached: true });
    expect((await t.admin.delete(`/api/v1/sla/policies/${policy.json().id}`)).statusCode).toBe(200);
    await settle();
    const d = await detail(tk.number);
    expect(d.policy?.name).toBe('Default');
    // Default: medium first response in 24 h.
    expect(d.targets.find((x) => x.target === 'first_response')).toMatchObject({ dueAt: '2026-03-12T09:00:00.000Z', warnedAt: null, breachedAt: null });
    expect(await slaOf(tk.number)).toEqual({ target: 'first_response', dueAt: '2026-03-12T09:00:00.000Z', breached: false, paused: false });
    t.clock.set('2026-03-12T03:00:00.000Z');
    expect(await sweep()).toMatchObject({ warned: 1 });
  });

  it('a merged ticket keeps its policy and due times, its clocks stopped', async () => {
    const policy = await t.admin.post('/api/v1/sla/policies', { name: 'Silver', position: -10, condition: 'tag:silver', targets: mediumFirst(30) });
    expect(policy.statusCode).toBe(201);
    t.clock.set('2026-03-13T09:00:00.000Z');
    const into = await make({ subject: 'Kept open' });
    const source = await make({ subject: 'Merged away', tags: ['silver'] });
    const before = await detail(source.number);
    expect(before.policy?.name).toBe('Silver');
    t.clock.set('2026-03-13T09:10:00.000Z');
    expect((await t.admin.post(`/api/v1/tickets/${into.number}/merge`, { sourceNumbers: [source.number] })).statusCode).toBe(200);
    await settle();
    const after = await detail(source.number);
    expect(after.policy?.name).toBe('Silver');
    expect(after.targets).toEqual(before.targets);
    expect(await slaOf(source.number)).toBeNull();
    // Stopped: no warning or breach for it, long past its due time.
    t.clock.set('2026-03-13T12:00:00.000Z');
    await sweep();
    expect(await target(source.number, 'first_response')).toMatchObject({ warnedAt: null, breachedAt: null });
    expect((await detail(into.number)).policy?.name).toBe('Silver');
  });
});
