import type { ReportRow, ReportTable } from '../../../contracts/reports.js';
import { TICKET_PRIORITIES } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { rate } from './report-math.js';
import { drill, rangeTerms, type ReportScope } from './report-scope.js';
import { dailyCounts } from './rollups.service.js';
import { atRiskNow, slaCompliance } from './sla-csat.repository.js';
import { policyNames } from '../sla/index.js';

const TARGETS = ['first_response', 'next_response', 'resolution'] as const;

/** Tickets created in the range by priority (the denominator of compliance): rollups when they apply. */
async function createdByPriority(ctx: Ctx, scope: ReportScope): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const r of await dailyCounts(ctx, scope, 'created', 'priority')) if (r.key !== null) out.set(r.key, (out.get(r.key) ?? 0) + r.n);
  return out;
}

/**
 * SLA compliance of tickets created in the range: the share that never breached each target
 * (breaches come from `sla.breached` events), by priority and policy, and tickets at risk now.
 */
export async function slaReport(ctx: Ctx, scope: ReportScope): Promise<{ tables: ReportTable[]; notes: string[] }> {
  const [byPriority, byPolicy, created, risk, names] = await Promise.all([
    slaCompliance(ctx.db, scope, 'priority'),
    slaCompliance(ctx.db, scope, 'policy'),
    createdByPriority(ctx, scope),
    atRiskNow(ctx.db, scope),
    policyNames(ctx),
  ]);
  const range = rangeTerms(scope.timeZone, 'created', scope.from, scope.to);
  const breached = (rows: typeof byPriority, key: string | null, target: string) => rows.filter((r) => r.key === key && r.target === target).reduce((s, r) => s + r.breached, 0);
  const complianceRow = (label: string, term: string | null, tickets: number, rows: typeof byPriority, key: string | null): ReportRow => {
    const cells: ReportRow['cells'] = { key: label, tickets };
    for (const t of TARGETS) {
      const b = key === '*' ? rows.filter((r) => r.target === t).reduce((s, r) => s + r.breached, 0) : breached(rows, key, t);
      cells[`${t}Breached`] = b;
      cells[`${t}Met`] = rate(tickets - b, tickets);
    }
    return { cells, links: { tickets: drill(scope, term, range) } };
  };
  const totalTickets = [...created.values()].reduce((s, n) => s + n, 0);
  const columns = [
    { key: 'key', label: 'Priority', kind: 'text' as const },
    { key: 'tickets', label: 'Tickets created', kind: 'count' as const },
    ...TARGETS.flatMap((t) => [
      { key: `${t}Met`, label: `${t.replace('_', ' ')} met`, kind: 'rate' as const },
      { key: `${t}Breached`, label: `${t.replace('_', ' ')} breached`, kind: 'count' as const },
    ]),
  ];
  const policies = [...new Set(byPolicy.map((r) => r.key))];
  return {
    tables: [
      {
        id: 'sla-priority',
        title: 'SLA compliance by priority',
        chart: 'bar',
        chartSeries: TARGETS.map((t) => ({ key: `${t}Met`, label: `${t.replace('_', ' ')} met (share)` })),
        columns,
        rows: TICKET_PRIORITIES.filter((p) => created.has(p)).map((p) => complianceRow(p, `priority:${p}`, created.get(p) ?? 0, byPriority, p)),
        totals: complianceRow('All priorities', null, totalTickets, byPriority, '*'),
      },
      {
        id: 'sla-policy',
        title: 'Breaches by policy',
        chart: 'bar',
        chartSeries: TARGETS.map((t) => ({ key: t, label: `${t.replace('_', ' ')} breaches` })),
        columns: [{ key: 'key', label: 'Policy', kind: 'text' }, ...TARGETS.map((t) => ({ key: t, label: `${t.replace('_', ' ')} breaches`, kind: 'count' as const }))],
        rows: policies.map((p) => ({ cells: { key: p === null ? '' : (names.get(p) ?? 'Deleted policy'), ...Object.fromEntries(TARGETS.map((t) => [t, breached(byPolicy, p, t)])) }, links: {} })),
        totals: null,
      },
      {
        id: 'sla-at-risk',
        title: 'At risk now (warned, not yet breached)',
        chart: 'none',
        columns: [
          { key: 'number', label: 'Ticket', kind: 'count' },
          { key: 'target', label: 'Target', kind: 'text' },
          { key: 'dueAt', label: 'Due', kind: 'text' },
        ],
        rows: risk.map((r) => ({ cells: { number: r.number, target: r.target, dueAt: r.dueAt }, links: { number: `number:${r.number}` } })),
        totals: null,
      },
    ],
    notes: [
      'Compliance: of the tickets created in the range, the share with no recorded breach of the target (tickets without an SLA policy count as met).',
      'Breaches and warnings come from the SLA module\'s events (sla.breached, sla.warning) as they happen.',
    ],
  };
}
