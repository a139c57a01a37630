import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  addTime,
  businessMinutesBetween,
  isValidTimeZone,
  isWithinBusinessHours,
  timeBetween,
  windowProblem,
  type BusinessCalendar,
} from './business-time.js';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const weekdays = (windows = nineToFive) => [[], windows, windows, windows, windows, windows, []];
const berlin: BusinessCalendar = { timeZone: 'Europe/Berlin', weeklyHours: weekdays(), holidays: [] };
const newYork: BusinessCalendar = { timeZone: 'America/New_York', weeklyHours: weekdays(), holidays: [] };
const d = (iso: string) => new Date(iso);
const iso = (x: Date) => x.toISOString();

describe('isWithinBusinessHours', () => {
  it('is open inside a window and closed at its end, at night, on weekends', () => {
    // 2026-03-02 is a Monday; Berlin is UTC+1 in winter.
    expect(isWithinBusinessHours(berlin, d('2026-03-02T08:00:00Z'))).toBe(true); // 09:00 local
    expect(isWithinBusinessHours(berlin, d('2026-03-02T07:59:59Z'))).toBe(false);
    expect(isWithinBusinessHours(berlin, d('2026-03-02T15:59:00Z'))).toBe(true);
    expect(isWithinBusinessHours(berlin, d('2026-03-02T16:00:00Z'))).toBe(false); // 17:00 local
    expect(isWithinBusinessHours(berlin, d('2026-03-07T10:00:00Z'))).toBe(false); // Saturday
  });

  it('is closed on a holiday, given as a local date', () => {
    const cal = { ...berlin, holidays: ['2026-03-03'] };
    expect(isWithinBusinessHours(cal, d('2026-03-03T10:00:00Z'))).toBe(false);
    expect(isWithinBusinessHours(cal, d('2026-03-04T10:00:00Z'))).toBe(true);
  });

  it('reads the weekday in the calendar zone, not in UTC', () => {
    const tokyo: BusinessCalendar = { timeZone: 'Asia/Tokyo', weeklyHours: weekdays(), holidays: [] };
    // Sunday 2026-03-01 23:30 UTC is Monday 08:30 in Tokyo: closed; 00:30 UTC is Monday 09:30: open.
    expect(isWithinBusinessHours(tokyo, d('2026-03-01T23:30:00Z'))).toBe(false);
    expect(isWithinBusinessHours(tokyo, d('2026-03-02T00:30:00Z'))).toBe(true);
  });
});

describe('addBusinessMinutes', () => {
  it('adds within the same day', () => {
    expect(iso(addBusinessMinutes(berlin, d('2026-03-02T08:00:00Z'), 60))).toBe('2026-03-02T09:00:00.000Z');
  });

  it('carries the rest over to the next open day', () => {
    // Monday 16:00 local + 2h = Tuesday 10:00 local.
    expect(iso(addBusinessMinutes(berlin, d('2026-03-02T15:00:00Z'), 120))).toBe('2026-03-03T09:00:00.000Z');
  });

  it('starts the clock at the next opening when created outside hours', () => {
    // Friday 20:00 local: the hour starts Monday 09:00.
    expect(iso(addBusinessMinutes(berlin, d('2026-03-06T19:00:00Z'), 60))).toBe('2026-03-09T09:00:00.000Z');
    // Saturday night, zero minutes: due at the next opening.
    expect(iso(addBusinessMinutes(berlin, d('2026-03-07T22:00:00Z'), 0))).toBe('2026-03-09T08:00:00.000Z');
  });

  it('skips holidays', () => {
    const cal = { ...berlin, holidays: ['2026-03-03', '2026-03-04'] };
    expect(iso(addBusinessMinutes(cal, d('2026-03-02T15:00:00Z'), 120))).toBe('2026-03-05T09:00:00.000Z');
  });

  it('48 business hours are six working days', () => {
    expect(iso(addBusinessMinutes(berlin, d('2026-03-02T08:00:00Z'), 48 * 60))).toBe('2026-03-09T16:00:00.000Z');
  });

  it('keeps 09:00 local across the spring-forward change (Berlin, 2026-03-29)', () => {
    // Friday 2026-03-27 16:30 local (UTC+1) + 1h: 30 min on Friday, 30 min on Monday from 09:00 CEST (07:00Z).
    expect(iso(addBusinessMinutes(berlin, d('2026-03-27T15:30:00Z'), 60))).toBe('2026-03-30T07:30:00.000Z');
  });

  it('keeps 09:00 local across the fall-back change (New York, 2026-11-01)', () => {
    // Friday 2026-10-30 16:00 EDT (20:00Z) + 2h: 1h Friday, then Monday 09:00 EST = 14:00Z.
    expect(iso(addBusinessMinutes(newYork, d('2026-10-30T20:00:00Z'), 120))).toBe('2026-11-02T15:00:00.000Z');
  });

  it('counts the real length of a window that spans the DST change on a 24-hour schedule', () => {
    const allWeek: BusinessCalendar = { timeZone: 'Europe/Berlin', weeklyHours: Array.from({ length: 7 }, () => [{ start: '00:00', end: '24:00' }]), holidays: [] };
    // 2026-03-29 local midnight (23:00Z on the 28th) to the next midnight (22:00Z on the 29th) is 23 hours.
    expect(businessMinutesBetween(allWeek, d('2026-03-28T23:00:00Z'), d('2026-03-29T22:00:00Z'))).toBe(23 * 60);
    expect(iso(addBusinessMinutes(allWeek, d('2026-03-28T23:00:00Z'), 24 * 60))).toBe('2026-03-29T23:00:00.000Z');
  });

  it('handles a window whose start does not exist on the clock (gap) and split windows', () => {
    // America/New_York: 2026-03-08 02:00 -> 03:00. A Sunday window 02:30-04:00 opens at 03:30 EDT.
    const cal: BusinessCalendar = { timeZone: 'America/New_York', weeklyHours: [[{ start: '02:30', end: '04:00' }], [], [], [], [], [], []], holidays: [] };
    expect(isWithinBusinessHours(cal, d('2026-03-08T07:20:00Z'))).toBe(false); // 03:20 EDT
    expect(isWithinBusinessHours(cal, d('2026-03-08T07:40:00Z'))).toBe(true); // 03:40 EDT
    const split: BusinessCalendar = { timeZone: 'UTC', weeklyHours: weekdays([{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]), holidays: [] };
    expect(iso(addBusinessMinutes(split, d('2026-03-02T11:30:00Z'), 60))).toBe('2026-03-02T13:30:00.000Z');
  });

  it('fails clearly when a calendar has no open hour', () => {
    const closed: BusinessCalendar = { timeZone: 'UTC', weeklyHours: [[], [], [], [], [], [], []], holidays: [] };
    expect(() => addBusinessMinutes(closed, d('2026-03-02T00:00:00Z'), 1)).toThrow(/no open hours/);
  });
});

describe('businessMinutesBetween', () => {
  it('counts only open time, and 0 backwards', () => {
    // Monday 16:00 local to Tuesday 10:00 local: 1h + 1h.
    expect(businessMinutesBetween(berlin, d('2026-03-02T15:00:00Z'), d('2026-03-03T09:00:00Z'))).toBe(120);
    expect(businessMinutesBetween(berlin, d('2026-03-03T09:00:00Z'), d('2026-03-02T15:00:00Z'))).toBe(0);
    // A whole weekend is 0.
    expect(businessMinutesBetween(berlin, d('2026-03-06T17:00:00Z'), d('2026-03-09T07:00:00Z'))).toBe(0);
  });

  it('is the inverse of addBusinessMinutes (pause and resume shift the due time by the paused open time)', () => {
    const start = d('2026-03-02T10:00:00Z');
    const due = addBusinessMinutes(berlin, start, 240);
    // Paused Monday 13:00Z to Tuesday 09:00Z: 3h Monday + 1h Tuesday of open time.
    const paused = businessMinutesBetween(berlin, d('2026-03-02T13:00:00Z'), d('2026-03-03T09:00:00Z'));
    expect(paused).toBe(240);
    expect(iso(addBusinessMinutes(berlin, due, paused))).toBe(iso(addBusinessMinutes(berlin, start, 480)));
    for (const m of [0, 1, 59, 480, 481, 2000]) expect(businessMinutesBetween(berlin, start, addBusinessMinutes(berlin, start, m))).toBe(m);
  });
});

describe('calendar time and validation', () => {
  it('without a calendar adds and measures elapsed time', () => {
    expect(iso(addTime(null, d('2026-03-07T22:00:00Z'), 3600_000))).toBe('2026-03-07T23:00:00.000Z');
    expect(timeBetween(null, d('2026-03-07T22:00:00Z'), d('2026-03-07T23:00:00Z'))).toBe(3600_000);
  });

  it('rejects bad windows and unknown zones', () => {
    expect(windowProblem([{ start: '09:00', end: '17:00' }])).toBeNull();
    expect(windowProblem([{ start: '09:00', end: '24:00' }])).toBeNull();
    expect(windowProblem([{ start: '17:00', end: '09:00' }])).toMatch(/end after/);
    expect(windowProblem([{ start: '9am', end: '17:00' }])).toMatch(/HH:MM/);
    expect(windowProblem([{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }])).toMatch(/overlap/);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
