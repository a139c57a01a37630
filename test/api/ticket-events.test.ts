import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

type EventJson = { action: string; at: string };

/** The date range of a ticket's history: both ends inclusive, a reversed range refused. */
describeEachDialect('ticket events: date range', (dialect) => {
  let t: TestApp;
  let number: number;
  let changedAt: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { start: '2026-05-04T09:00:00.000Z' });
    number = (await createTicket(t.admin)).number;
    t.clock.set('2026-05-04T09:30:00.000Z');
    expect((await t.admin.patch(`/api/v1/tickets/${number}`, { priority: 'urgent' })).statusCode).toBe(200);
    const events = (await t.admin.get(`/api/v1/tickets/${number}/events`)).json().items as EventJson[];
    changedAt = events.find((e) => e.action === 'priority_changed')!.at;
  });
  afterAll(() => t.close());

  const events = (query: string) => t.admin.get(`/api/v1/tickets/${number}/events?${query}`);
  const actions = async (query: string) => ((await events(query)).json().items as EventJson[]).map((e) => e.action);

  it("finds an event by its exact `at` used as both ends", async () => {
    const at = encodeURIComponent(changedAt);
    expect(await actions(`from=${at}&to=${at}`)).toEqual(['priority_changed']);
    // `to` alone includes the event at that instant, and nothing later.
    expect(await actions(`to=${at}`)).toContain('priority_changed');
    expect(await actions(`to=${encodeURIComponent('2026-05-04T09:29:59.999Z')}`)).not.toContain('priority_changed');
  });

  // Date.parse stops at the millisecond: .0001 past the event was read as the event's own `at`.
  it('compares ends finer than a millisecond at their full precision', async () => {
    const justAfter = encodeURIComponent(changedAt.replace('Z', '1Z'));
    const at = encodeURIComponent(changedAt);
    const reversed = await events(`from=${justAfter}&to=${at}`);
    expect(reversed.statusCode, reversed.body).toBe(400);
    expect(reversed.json().error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'querystring.from' }] } });
    // A from inside the event's millisecond but after it leaves the event out; a to inside it keeps it.
    expect(await actions(`from=${justAfter}`)).not.toContain('priority_changed');
    expect(await actions(`from=${at}&to=${encodeURIComponent(changedAt.replace('Z', '9999Z'))}`)).toEqual(['priority_changed']);
    expect(await actions(`from=${encodeURIComponent(changedAt.replace('Z', '0000Z'))}&to=${at}`)).toEqual(['priority_changed']);
    // The same instant in another offset, finer than a millisecond, is still after the event.
    const offset = encodeURIComponent(changedAt.replace('T09:', 'T11:').replace('Z', '5+02:00'));
    expect((await events(`from=${offset}&to=${at}`)).statusCode).toBe(400);
  });

  it('refuses a range whose from is after its to, naming from', async () => {
    const res = await events(`from=${encodeURIComponent('2026-05-04T10:00:00.000Z')}&to=${encodeURIComponent('2026-05-04T09:00:00.000Z')}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'querystring.from' }] } });
  });
});
