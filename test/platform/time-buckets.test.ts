import { describe, expect, it } from 'vitest';
import { localDateOf, offsetMinutes } from '../../server/modules/reports/time-buckets.js';

const intlDate = (tz: string, t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));

describe('local dates of report rollups', () => {
  // Offsets are remembered per quarter hour; a zone that changes inside one (Newfoundland ended
  // summer time at 00:01 local until 2011) must still give the date its wall clock shows.
  it('match the zone rules on every minute around transitions, odd ones included', () => {
    const cases: [string, string][] = [
      ['America/St_Johns', '1987-10-25T02:20:00Z'],
      ['America/St_Johns', '2010-11-07T02:20:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:50:00Z'],
      ['Europe/Berlin', '2026-03-28T22:50:00Z'],
      ['Asia/Kathmandu', '1985-12-31T18:00:00Z'],
    ];
    for (const [tz, from] of cases) {
      const start = Date.parse(from);
      for (let m = 0; m < 60; m++) {
        for (const s of [0, 59_999]) {
          const t = start + m * 60_000 + s;
          expect(localDateOf(tz, new Date(t)), `${tz} ${new Date(t).toISOString()}`).toBe(intlDate(tz, t));
        }
      }
    }
  });

  it('gives offsets to the minute, with seconds of local mean time kept out', () => {
    expect(offsetMinutes('Asia/Kathmandu', Date.parse('2026-06-01T00:00:00Z'))).toBe(345);
    expect(offsetMinutes('America/St_Johns', Date.parse('2026-01-15T12:00:00Z'))).toBe(-210);
    expect(offsetMinutes('Europe/Berlin', Date.parse('2026-07-01T12:00:00Z'))).toBe(120);
  });
});
