/**
 * Local calendar days of the account time zone, and the UTC-offset segments a date range
 * spans (pure; Intl carries the zone rules). SQL buckets instants into local days with these
 * segments; weeks and months are rolled up from days here, so every engine agrees.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formattedWallClock(timeZone: string, t: number): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

const QUARTER_HOUR = 15 * 60_000;
/**
 * Each zone's offset (ms) per quarter hour, or NaN for a quarter hour in which it changes:
 * formatting a date costs more than the rest of a ticket's report facts together.
 */
const offsets = new Map<string, Map<number, number>>();

/** The zone's wall clock at instant t (to the second), as a UTC timestamp. */
function wallClock(timeZone: string, t: number): number {
  const quarter = Math.floor(t / QUARTER_HOUR);
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  let offset = zone.get(quarter);
  if (offset === undefined) {
    // The same offset at both ends: the whole quarter hour has it (no zone changes twice in 15 minutes).
    const start = quarter * QUARTER_HOUR;
    const end = start + QUARTER_HOUR - 1000;
    const atStart = formattedWallClock(timeZone, start) - start;
    offset = formattedWallClock(timeZone, end) - end === atStart ? atStart : NaN;
    if (zone.size >= 200_000) zone.clear();
    zone.set(quarter, offset);
  }
  return Number.isNaN(offset) ? formattedWallClock(timeZone, t) : Math.floor(t / 1000) * 1000 + offset;
}

/** Minutes the zone's wall clock is ahead of UTC at instant t. */
export function offsetMinutes(timeZone: string, t: number): number {
  return Math.round((wallClock(timeZone, t) - Math.floor(t / 1000) * 1000) / 60_000);
}

/** The instant local date `date` (YYYY-MM-DD) begins in the zone. */
export function startOfLocalDate(timeZone: string, date: string): Date {
  const wall = Date.parse(`${date}T00:00:00.000Z`);
  // Twice, so a day that begins just after a DST change still lands on its first instant.
  let t = wall - offsetMinutes(timeZone, wall) * 60_000;
  t = wall - offsetMinutes(timeZone, t) * 60_000;
  return new Date(t);
}

/** The local date (YYYY-MM-DD) of an instant. */
export function localDateOf(timeZone: string, t: Date): string {
  return new Date(wallClock(timeZone, t.getTime())).toISOString().slice(0, 10);
}

export const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Every local date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** A stretch of time with one UTC offset: instants before `until` (ISO; null = no end). */
export interface OffsetSegment {
  until: string | null;
  offsetMinutes: number;
}

/**
 * The offsets in force over [from, to): one segment per DST period, each change found to the
 * minute by bisection. A ticket at 23:30 local then lands on its local day on every engine.
 */
export function offsetSegments(timeZone: string, from: Date, to: Date): OffsetSegment[] {
  const out: OffsetSegment[] = [];
  const step = 6 * 3600_000;
  let t = from.getTime();
  let current = offsetMinutes(timeZone, t);
  while (t < to.getTime()) {
    const next = Math.min(t + step, to.getTime());
    const o = offsetMinutes(timeZone, next);
    if (o !== current) {
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
        if (offsetMinutes(timeZone, mid) === current) lo = mid;
        else hi = mid;
      }
      out.push({ until: new Date(hi).toISOString(), offsetMinutes: current });
      current = o;
    }
    t = next;
  }
  out.push({ until: null, offsetMinutes: current });
  return out;
}

export type Interval = 'day' | 'week' | 'month';

/** The first day of the period containing `date`: ISO weeks start on Monday. */
export function periodOf(date: string, interval: Interval): string {
  if (interval === 'day') return date;
  if (interval === 'month') return `${date.slice(0, 7)}-01`;
  const dow = new Date(`${date}T00:00:00.000Z`).getUTCDay();
  return addDays(date, -((dow + 6) % 7));
}

/** The periods covering [from, to], in order, each with its local [first, last] dates clipped to the range. */
export function periodsBetween(from: string, to: string, interval: Interval): { period: string; first: string; last: string }[] {
  const out: { period: string; first: string; last: string }[] = [];
  for (const d of datesBetween(from, to)) {
    const p = periodOf(d, interval);
    const last = out[out.length - 1];
    if (last && last.period === p) last.last = d;
    else out.push({ period: p, first: d, last: d });
  }
  return out;
}
