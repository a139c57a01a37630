import { describe, expect, it } from 'vitest';
import { matchesFilter, type TicketFacts } from './filter-evaluator.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter } from './filter-resolve.js';
import { fixtureResolvers, NOW, TICKETS } from './filter.fixtures.js';

const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const H = 3_600_000;
const base: TicketFacts = TICKETS[0]!;
const withSla = (slaDueAt: string | null, slaBreached = false, slaPaused = false): TicketFacts => ({ ...base, slaDueAt, slaBreached, slaPaused });

async function matches(query: string, t: TicketFacts): Promise<boolean> {
  return matchesFilter(await resolveFilter(parseFilter(query), fixtureResolvers()), t, NOW);
}

describe('SLA filter keys, evaluated in memory (rules); the SQL side is covered by test/sla', () => {
  it('due<2h is "due within two hours from now", overdue included; tickets without a clock never match', async () => {
    expect(await matches('due<2h', withSla(at(H)))).toBe(true);
    expect(await matches('due<2h', withSla(at(-H)))).toBe(true);
    expect(await matches('due<2h', withSla(at(3 * H)))).toBe(false);
    expect(await matches('due>2h', withSla(at(3 * H)))).toBe(true);
    expect(await matches('due<2h', withSla(null))).toBe(false);
    expect(await matches('-due<2h', withSla(null))).toBe(true);
    expect(await matches('due<2026-03-02', withSla(at(H)))).toBe(true);
  });

  it('sla:overdue, sla:breached, sla:paused, sla:active', async () => {
    expect(await matches('sla:overdue', withSla(at(-1)))).toBe(true);
    expect(await matches('sla:overdue', withSla(at(H)))).toBe(false);
    expect(await matches('sla:breached', withSla(at(-H), true))).toBe(true);
    expect(await matches('sla:breached', withSla(at(-H), false))).toBe(false);
    expect(await matches('sla:paused', withSla(null, false, true))).toBe(true);
    expect(await matches('sla:active', withSla(at(H)))).toBe(true);
    expect(await matches('sla:active', withSla(null, false, true))).toBe(false);
    expect(await matches('sla:overdue,paused', withSla(null, false, true))).toBe(true);
  });

  it('rejects unknown states and relative times without a direction', () => {
    expect(() => parseFilter('sla:late')).toThrow(/Unknown sla "late"/);
    expect(() => parseFilter('due:2h')).toThrow(/relative time/);
  });
});
