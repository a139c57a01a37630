/** Calendar days in the installation's time zone (pure; Intl carries the zone rules). */

interface Parts {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, t: Date): Parts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  const get = (type: string) => Number(f.formatToParts(t).find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** How far the zone's wall clock is ahead of UTC at instant t. */
function offsetMs(timeZone: string, t: number): number {
  const p = partsIn(timeZone, new Date(t));
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(t / 1000) * 1000;
}

/** The instant the zone's day y-m-d begins (m 1-based; overflowing days roll over). */
function startOfDay(timeZone: string, y: number, m: number, d: number): Date {
  const wall = Date.UTC(y, m - 1, d);
  // Twice, so a day that begins just after a DST change still lands on its first instant.
  let t = wall - offsetMs(timeZone, wall);
  t = wall - offsetMs(timeZone, t);
  return new Date(t);
}

/** The zone's calendar day containing `now`: its date and its [from, to) instants. */
export function zonedDay(now: Date, timeZone: string): { date: string; from: Date; to: Date } {
  const p = partsIn(timeZone, now);
  const date = `${String(p.y).padStart(4, '0')}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
  return { date, from: startOfDay(timeZone, p.y, p.m, p.d), to: startOfDay(timeZone, p.y, p.m, p.d + 1) };
}
