import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../../platform/business-time/business-time.js';
import { computeSla, summarize, type ClockInput, type ClockTicket } from './sla-clock.js';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const berlin: BusinessCalendar = { timeZone: 'Europe/Berlin', weeklyHours: [[], nineToFive, nineToFive, nineToFive, nineToFive, nineToFive, []], holidays: [] };
const none = { firstResponse: null, nextResponse: null, resolution: null };
const policy = { id: 'p', warningPercent: 75, targets: { low: none, medium: none, high: { firstResponse: 240, nextResponse: 120, resolution: 960 }, urgent: none } };
const ticket = (over: Partial<ClockTicket> = {}): ClockTicket => ({ id: 't', priority: 'high', status: 'open', spam: false, mergedIntoId: null, createdAt: '2026-03-02T08:00:00.000Z', firstResponseAt: null, resolvedAt: null, ...over });
const input = (t: ClockTicket, now: string, over: Partial<ClockInput> = {}): ClockInput => ({ ticket: t, policy, calendar: berlin, appliedBy: 'match', now, ...over });
const due = (s: ReturnType<typeof computeSla>, target: string) => s.targets.find((x) => x.target === target)?.dueAt;

describe('computeSla on a business calendar (Berlin, 09:00-17:00 weekdays)', () => {
  it('times first response and resolution in open hours, warning at 75 %', () => {
    const s = computeSla(undefined, input(ticket(), '2026-03-02T08:00:00.000Z'));
    expect(due(s, 'first_response')).toBe('2026-03-02T12:00:00.000Z');
    expect(s.targets.find((x) => x.target === 'first_response')?.warnAt).toBe('2026-03-02T11:00:00.000Z');
    // 16 open hours: Monday 8 h, Tuesday 8 h.
    expect(due(s, 'resolution')).toBe('2026-03-03T16:00:00.000Z');
    expect(s.targets.map((x) => x.nextCheckAt)).toEqual(['2026-03-02T11:00:00.000Z', '2026-03-03T12:00:00.000Z']);
  });

  it('a pause over the night counts only the open hours it took', () => {
    const created = computeSla(undefined, input(ticket(), '2026-03-02T08:00:00.000Z'));
    // Waiting from Monday 15:00Z (16:00 local) to Tuesday 09:00Z (10:00 local): 1 h + 1 h of open time.
    const paused = computeSla(created, input(ticket({ status: 'waiting', firstResponseAt: '2026-03-02T14:00:00.000Z' }), '2026-03-02T15:00:00.000Z'));
    expect(paused.pausedAt).toBe('2026-03-02T15:00:00.000Z');
    expect(paused.targets.every((x) => x.nextCheckAt === null)).toBe(true);
    expect(summarize(paused, ticket({ status: 'waiting' }))).toEqual({ target: 'resolution', dueAt: null, breached: false, paused: true });
    const resumed = computeSla(paused, input(ticket({ status: 'open', firstResponseAt: '2026-03-02T14:00:00.000Z' }), '2026-03-03T09:00:00.000Z', { customerMessageAt: '2026-03-03T09:00:00.000Z' }));
    expect(resumed.pausedAt).toBeNull();
    expect(resumed.targets.find((x) => x.target === 'resolution')?.pausedMs).toBe(2 * 3_600_000);
    expect(due(resumed, 'resolution')).toBe('2026-03-04T10:00:00.000Z');
    // The first response was met before the pause and is not shifted; the customer's message starts next response.
    expect(due(resumed, 'first_response')).toBe('2026-03-02T12:00:00.000Z');
    expect(due(resumed, 'next_response')).toBe('2026-03-03T11:00:00.000Z');
    expect(summarize(resumed, ticket())).toEqual({ target: 'next_response', dueAt: '2026-03-03T11:00:00.000Z', breached: false, paused: false });
  });

  it('a change of priority re-times the clocks and keeps what was recorded', () => {
    const first = computeSla(undefined, input(ticket(), '2026-03-02T08:00:00.000Z'));
    const breached = { ...first, targets: first.targets.map((x) => (x.target === 'first_response' ? { ...x, warnedAt: '2026-03-02T11:00:00.000Z', breachedAt: '2026-03-02T12:00:00.000Z', nextCheckAt: null } : x)) };
    const lowered = computeSla(breached, input(ticket({ priority: 'urgent' }), '2026-03-02T13:00:00.000Z', { policy: { ...policy, targets: { ...policy.targets, urgent: { firstResponse: 60, nextResponse: null, resolution: null } } } }));
    expect(lowered.targets.map((x) => x.target)).toEqual(['first_response']);
    expect(lowered.targets[0]).toMatchObject({ dueAt: '2026-03-02T09:00:00.000Z', breachedAt: '2026-03-02T12:00:00.000Z', nextCheckAt: null });
  });

  it('a later due time (targets changed, another policy) clears the warning and breach of the old one; the next sweep checks the new one', () => {
    const first = computeSla(undefined, input(ticket(), '2026-03-02T08:00:00.000Z'));
    const breached = { ...first, targets: first.targets.map((x) => (x.target === 'first_response' ? { ...x, warnedAt: '2026-03-02T11:00:00.000Z', breachedAt: '2026-03-02T12:00:30.000Z', nextCheckAt: null } : x)) };
    const longer = { ...policy, targets: { ...policy.targets, high: { ...policy.targets.high, firstResponse: 480 } } };
    const s = computeSla(breached, input(ticket(), '2026-03-02T13:00:00.000Z', { policy: longer }));
    // 8 open hours from Monday 09:00 local: 17:00 local (16:00Z); the warning at 6 h.
    expect(s.targets.find((x) => x.target === 'first_response')).toMatchObject({ dueAt: '2026-03-02T16:00:00.000Z', warnedAt: null, breachedAt: null, nextCheckAt: '2026-03-02T14:00:00.000Z' });
    expect(summarize(s, ticket())).toMatchObject({ target: 'first_response', breached: false });
    // A met target is judged at the time it was met: 13:00Z is in time for the new due time.
    const met = computeSla(breached, input(ticket({ firstResponseAt: '2026-03-02T13:00:00.000Z' }), '2026-03-02T13:30:00.000Z', { policy: longer }));
    expect(met.targets.find((x) => x.target === 'first_response')).toMatchObject({ metAt: '2026-03-02T13:00:00.000Z', breachedAt: null });
  });

  it('a due time moved only by a pause keeps its warning (the time left is what it was when warned)', () => {
    const created = computeSla(undefined, input(ticket(), '2026-03-02T08:00:00.000Z'));
    const warned = { ...created, targets: created.targets.map((x) => (x.target === 'first_response' ? { ...x, warnedAt: '2026-03-02T11:00:00.000Z', nextCheckAt: x.dueAt } : x)) };
    const paused = computeSla(warned, input(ticket({ status: 'waiting' }), '2026-03-02T11:30:00.000Z'));
    const resumed = computeSla(paused, input(ticket(), '2026-03-02T13:30:00.000Z'));
    expect(resumed.targets.find((x) => x.target === 'first_response')).toMatchObject({ dueAt: '2026-03-02T14:00:00.000Z', warnedAt: '2026-03-02T11:00:00.000Z', nextCheckAt: '2026-03-02T14:00:00.000Z' });
  });

  it('a target the calendar never reaches (three years of its open hours) is left out; the others run', () => {
    const hourAWeek: BusinessCalendar = { timeZone: 'Europe/Berlin', weeklyHours: [[], [{ start: '09:00', end: '10:00' }], [], [], [], [], []], holidays: [] };
    const long = { ...policy, targets: { ...policy.targets, high: { firstResponse: 60, nextResponse: null, resolution: 525_600 } } };
    const s = computeSla(undefined, input(ticket(), '2026-03-02T08:00:00.000Z', { calendar: hourAWeek, policy: long }));
    expect(s.policyId).toBe('p');
    expect(s.targets.map((x) => [x.target, x.dueAt])).toEqual([['first_response', '2026-03-02T09:00:00.000Z']]);
    const closed: BusinessCalendar = { ...hourAWeek, weeklyHours: [[], [], [], [], [], [], []] };
    expect(computeSla(undefined, input(ticket(), '2026-03-02T08:00:00.000Z', { calendar: closed })).targets).toEqual([]);
  });

  it('stops on resolve, spam and merge', () => {
    const s = computeSla(undefined, input(ticket({ status: 'resolved', resolvedAt: '2026-03-02T10:00:00.000Z', firstResponseAt: '2026-03-02T09:00:00.000Z' }), '2026-03-02T10:00:00.000Z'));
    expect(s.targets.every((x) => x.metAt !== null && x.nextCheckAt === null)).toBe(true);
    expect(summarize(computeSla(undefined, input(ticket({ spam: true }), '2026-03-02T10:00:00.000Z')), ticket({ spam: true }))).toBeNull();
  });
});
