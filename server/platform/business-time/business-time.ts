/**
 * Business-time arithmetic on a weekly schedule in an IANA time zone, with holidays.
 * Pure: no clock, no database. Wall times are turned into instants through `Intl`, so DST
 * transitions follow the zone's own rules: a 09:00-17:00 day is 8 hours on either side of a
 * change, and a window over the changing hour is an hour shorter or longer, as the clock says.
 */

/** "HH:MM" in 24-hour wall-clock time; "24:00" closes a window at midnight. */
export interface BusinessWindow {
  start: string;
  end: string;
}

export interface BusinessCalendar {
  timeZone: string;
  /** Index 0 = Sunday ... 6 = Saturday (as `Date#getDay`); each day may have several windows. */
  weeklyHours: BusinessWindow[][];
  /** Whole days off, as YYYY-MM-DD in the calendar's zone. */
  holidays: string[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A calendar with no open hour would never reach a due time; give up after this many days. */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `Intl` knows the zone (the API validates calendars with this). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface Civil {
  y: number;
  m: number;
  d: number;
}

/** Wall-clock fields of an instant in a zone. */
function wallOf(ms: number, timeZone: string): Civil & { h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallOf(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time names. In a gap (spring forward) it is pushed on by the gap's
 * length (02:30 becomes 03:30), in a fold (fall back) it is the first of the two.
 */
export function instantOfWallTime(c: Civil, minuteOfDay: number, timeZone: string): number {
  const guess = Date.UTC(c.y, c.m - 1, c.d) + minuteOfDay * MINUTE;
  const o1 = offsetAt(guess, timeZone);
  const first = guess - o1;
  const o2 = offsetAt(first, timeZone);
  if (o1 === o2) {
    const earlier = guess - offsetAt(first - 3600_000, timeZone);
    return earlier < first && wallMinute(earlier, timeZone, c) === minuteOfDay ? earlier : first;
  }
  const second = guess - o2;
  if (offsetAt(second, timeZone) === o2) return second;
  return guess - Math.min(o1, o2);
}

function wallMinute(ms: number, timeZone: string, c: Civil): number {
  const w = wallOf(ms, timeZone);
  return w.y === c.y && w.m === c.m && w.d === c.d ? w.h * 60 + w.mi : -1;
}

const parseHm = (hm: string): number => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hm);
  if (!m) throw new Error(`bad time "${hm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Checks a window list: HH:MM, start before end, no overlap. Returns a message or null. */
export function windowProblem(windows: BusinessWindow[]): string | null {
  const spans: [number, number][] = [];
  for (const w of windows) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(w.start) || !/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/.test(w.end)) return 'times must be HH:MM (end may be 24:00)';
    const s = parseHm(w.start);
    const e = parseHm(w.end);
    if (e <= s) return 'a window must end after it starts';
    spans.push([s, e]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![1]) return 'windows of one day must not overlap';
  return null;
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (c: Civil) => `${c.y}-${pad(c.m)}-${pad(c.d)}`;
const nextDay = (c: Civil, by = 1): Civil => {
  const t = new Date(Date.UTC(c.y, c.m - 1, c.d) + by * DAY);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
const weekday = (c: Civil) => new Date(Date.UTC(c.y, c.m - 1, c.d)).getUTCDay();

/** The open intervals [start, end) of one local day, as instants in ms, in order. */
function openIntervals(cal: BusinessCalendar, day: Civil, holidays: Set<string>): [number, number][] {
  if (holidays.has(isoDate(day))) return [];
  const windows = cal.weeklyHours[weekday(day)] ?? [];
  const out: [number, number][] = [];
  for (const w of windows) {
    const s = instantOfWallTime(day, parseHm(w.start), cal.timeZone);
    const e = parseHm(w.end) === 1440 ? instantOfWallTime(nextDay(day), 0, cal.timeZone) : instantOfWallTime(day, parseHm(w.end), cal.timeZone);
    if (e > s) out.push([s, e]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Walks open intervals from the local day containing `from`, forward in time. */
function* intervalsFrom(cal: BusinessCalendar, fromMs: number): Generator<[number, number]> {
  const holidays = new Set(cal.holidays);
  // Start a day early: a window ending at 24:00 on the previous local day never reaches into
  // this one, but cheap insurance against zones whose day starts at 01:00 after a gap.
  let day = nextDay(wallOf(fromMs, cal.timeZone), -1);
  for (let i = 0; i < MAX_DAYS; i++, day = nextDay(day)) {
    for (const iv of openIntervals(cal, day, holidays)) if (iv[1] > fromMs) yield iv;
  }
}

export function isWithinBusinessHours(cal: BusinessCalendar, at: Date): boolean {
  const t = at.getTime();
  for (const [s, e] of intervalsFrom(cal, t)) return s <= t && t < e;
  return false;
}

/** The instant after `ms` milliseconds of open time have passed from `from`. */
export function addBusinessMs(cal: BusinessCalendar, from: Date, ms: number): Date {
  const start = from.getTime();
  let left = Math.max(0, ms);
  for (const [s, e] of intervalsFrom(cal, start)) {
    const begin = Math.max(s, start);
    if (left === 0) return new Date(begin);
    if (begin + left <= e) return new Date(begin + left);
    left -= e - begin;
  }
  throw new Error('business calendar has no open hours within three years');
}

export const addBusinessMinutes = (cal: BusinessCalendar, from: Date, minutes: number): Date => addBusinessMs(cal, from, minutes * MINUTE);

/** Open time between two instants in ms (0 if `to` is not after `from`). */
export function businessMsBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  let total = 0;
  for (const [s, e] of intervalsFrom(cal, a)) {
    if (s >= b) break;
    total += Math.min(e, b) - Math.max(s, a);
  }
  return total;
}

export const businessMinutesBetween = (cal: BusinessCalendar, from: Date, to: Date): number => businessMsBetween(cal, from, to) / MINUTE;

/** Around the clock, every day: calendar time expressed as a business calendar. */
export const ALWAYS_OPEN: BusinessCalendar = { timeZone: 'UTC', weeklyHours: Array.from({ length: 7 }, () => [{ start: '00:00', end: '24:00' }]), holidays: [] };

/** Adds time on the calendar when given one, else plain elapsed time. */
export function addTime(cal: BusinessCalendar | null, from: Date, ms: number): Date {
  return cal ? addBusinessMs(cal, from, ms) : new Date(from.getTime() + Math.max(0, ms));
}

export function timeBetween(cal: BusinessCalendar | null, from: Date, to: Date): number {
  return cal ? businessMsBetween(cal, from, to) : Math.max(0, to.getTime() - from.getTime());
}
