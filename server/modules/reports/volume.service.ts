import type { ReportRow, ReportTable } from '../../../contracts/reports.js';
import type { Ctx } from '../../platform/context.js';
import { getDashboard } from '../tickets/index.js';
import { describeKeys, dimensionLabel } from './report-labels.js';
import { drill, rangeTerms, type ReportScope } from './report-scope.js';
import { AGE_BUCKETS, countBefore, openNow, type DayCount } from './reports.repository.js';
import { countBeforeRange, dailyCounts } from './rollups.service.js';
import { addDays, periodOf, periodsBetween, startOfLocalDate } from './time-buckets.js';

type Counts = { created: number; resolved: number; reopened: number };

function sumBy(rows: DayCount[], scope: ReportScope, into: Map<string, Map<string | null, Counts>>, field: keyof Counts): void {
  for (const r of rows) {
    const p = periodOf(r.day, scope.interval);
    const perKey = into.get(p) ?? new Map<string | null, Counts>();
    into.set(p, perKey);
    const c = perKey.get(r.key) ?? { created: 0, resolved: 0, reopened: 0 };
    c[field] += r.n;
    perKey.set(r.key, c);
  }
}

/**
 * Created (ticket creation time), resolved (the ticket's resolution time; a reopened ticket
 * counts when it was last resolved) and reopens (from the event log) per local day, week or
 * month, split by one property. Merged and spam tickets are left out unless the filter names them.
 */
export async function volumeReport(ctx: Ctx, scope: ReportScope): Promise<{ tables: ReportTable[]; notes: string[] }> {
  const [created, resolved, reopened] = await Promise.all([dailyCounts(ctx, scope, 'created', scope.by), dailyCounts(ctx, scope, 'resolved', scope.by), dailyCounts(ctx, scope, 'reopened', scope.by)]);
  const byPeriod = new Map<string, Map<string | null, Counts>>();
  sumBy(created, scope, byPeriod, 'created');
  sumBy(resolved, scope, byPeriod, 'resolved');
  sumBy(reopened, scope, byPeriod, 'reopened');
  const keys = new Set<string | null>([...byPeriod.values()].flatMap((m) => [...m.keys()]));
  const info = await describeKeys(ctx, scope.by, keys);
  const rows: ReportRow[] = [];
  const totals: Counts = { created: 0, resolved: 0, reopened: 0 };
  const sortedKeys = [...keys].sort((a, b) => (info.get(a)?.label ?? '').localeCompare(info.get(b)?.label ?? ''));
  for (const p of periodsBetween(scope.from, scope.to, scope.interval)) {
    const perKey = byPeriod.get(p.period);
    for (const k of scope.by === 'none' ? [''] : sortedKeys) {
      const c = perKey?.get(k) ?? (scope.by === 'none' ? perKey?.get(null) : undefined) ?? { created: 0, resolved: 0, reopened: 0 };
      if (scope.by !== 'none' && !perKey?.has(k)) continue;
      const term = info.get(k)?.term ?? null;
      rows.push({
        cells: { period: p.period, key: info.get(k)?.label ?? 'All tickets', created: c.created, resolved: c.resolved, reopened: c.reopened },
        links: {
          created: drill(scope, term, rangeTerms(scope.timeZone, 'created', p.first, p.last)),
          resolved: drill(scope, term, rangeTerms(scope.timeZone, 'resolved', p.first, p.last)),
          reopened: drill(scope, term, 'reopens>0', rangeTerms(scope.timeZone, 'updated', p.first, p.last)),
        },
      });
      if (scope.by !== 'tag') {
        totals.created += c.created;
        totals.resolved += c.resolved;
        totals.reopened += c.reopened;
      }
    }
  }
  if (scope.by === 'tag') {
    // A ticket with two tags is in two rows; the totals count it once.
    const [c, r, o] = await Promise.all([dailyCounts(ctx, scope, 'created', 'none'), dailyCounts(ctx, scope, 'resolved', 'none'), dailyCounts(ctx, scope, 'reopened', 'none')]);
    totals.created = c.reduce((s, x) => s + x.n, 0);
    totals.resolved = r.reduce((s, x) => s + x.n, 0);
    totals.reopened = o.reduce((s, x) => s + x.n, 0);
  }
  const all = { first: scope.from, last: scope.to };
  return {
    tables: [
      {
        id: 'volume',
        title: 'Created, resolved and reopened',
        chart: scope.by === 'none' ? 'line' : 'stacked',
        columns: [
          { key: 'period', label: 'Period', kind: 'date' },
          { key: 'key', label: dimensionLabel(scope.by), kind: 'text' },
          { key: 'created', label: 'Created', kind: 'count' },
          { key: 'resolved', label: 'Resolved', kind: 'count' },
          { key: 'reopened', label: 'Reopened', kind: 'count' },
        ],
        rows,
        totals: {
          cells: { period: 'Total', key: '', ...totals },
          links: {
            created: drill(scope, rangeTerms(scope.timeZone, 'created', all.first, all.last)),
            resolved: drill(scope, rangeTerms(scope.timeZone, 'resolved', all.first, all.last)),
            reopened: drill(scope, 'reopens>0', rangeTerms(scope.timeZone, 'updated', all.first, all.last)),
          },
        },
      },
    ],
    notes: [
      `Days are calendar days in ${scope.timeZone}; weeks start on Monday.`,
      'Resolved counts a ticket on the day it was last resolved; a ticket reopened and resolved again counts once, on the later day.',
      'Reopened counts reopens (resolved back to open, in progress or waiting) from the ticket history, once per ticket and day; its ticket list shows the reopened tickets updated in the period.',
      'Merged tickets count once, as the ticket they were merged into; split tickets count as new tickets; spam is left out.',
    ],
  };
}

/**
 * Open tickets at the end of each period: tickets created before that instant and not
 * resolved by then (by their current timestamps), plus the open tickets now by status and age.
 */
export async function backlogReport(ctx: Ctx, scope: ReportScope): Promise<{ tables: ReportTable[]; notes: string[] }> {
  const [created, resolved, createdBefore, resolvedBefore, now, today] = await Promise.all([
    dailyCounts(ctx, scope, 'created', 'none'),
    dailyCounts(ctx, scope, 'resolved', 'none'),
    countBeforeRange(ctx, scope, 'created', () => countBefore(ctx.db, scope, 'created_at', scope.fromAt)),
    countBeforeRange(ctx, scope, 'resolved', () => countBefore(ctx.db, scope, 'resolved_at', scope.fromAt)),
    openNow(ctx.db, scope, 'none'),
    ctx.actor.type === 'user' ? getDashboard(ctx) : Promise.resolve(null),
  ]);
  const delta = new Map<string, { c: number; r: number }>();
  for (const x of created) delta.set(x.day, { c: (delta.get(x.day)?.c ?? 0) + x.n, r: delta.get(x.day)?.r ?? 0 });
  for (const x of resolved) delta.set(x.day, { c: delta.get(x.day)?.c ?? 0, r: (delta.get(x.day)?.r ?? 0) + x.n });
  let open = createdBefore - resolvedBefore;
  const rows: ReportRow[] = [];
  for (const p of periodsBetween(scope.from, scope.to, scope.interval)) {
    let c = 0;
    let r = 0;
    for (let d = p.first; d <= p.last; d = addDays(d, 1)) {
      c += delta.get(d)?.c ?? 0;
      r += delta.get(d)?.r ?? 0;
    }
    open += c - r;
    const end = startOfLocalDate(scope.timeZone, addDays(p.last, 1)).toISOString();
    rows.push({
      cells: { period: p.period, open, created: c, resolved: r },
      links: {
        open: drill(scope, `created<${end}`, `-resolved<${end}`),
        created: drill(scope, rangeTerms(scope.timeZone, 'created', p.first, p.last)),
        resolved: drill(scope, rangeTerms(scope.timeZone, 'resolved', p.first, p.last)),
      },
    });
  }

  const statuses = ['open', 'in_progress', 'waiting'];
  const ageRows: ReportRow[] = [];
  const ageTerm = (i: number) => {
    const lo = i === 0 ? null : `created>=${AGE_BUCKETS[i - 1]!.days}d`;
    const hi = Number.isFinite(AGE_BUCKETS[i]!.days) ? `created<${AGE_BUCKETS[i]!.days}d` : null;
    return [lo, hi].filter(Boolean).join(' ');
  };
  const totalCells: Record<string, number> = { total: 0, unassigned: 0 };
  for (const st of statuses) {
    const mine = now.filter((x) => x.status === st);
    const cells: Record<string, string | number> = { status: st, total: 0, unassigned: 0 };
    const links: Record<string, string> = { total: drill(scope, `status:${st}`), unassigned: drill(scope, `status:${st}`, 'assignee:none') };
    AGE_BUCKETS.forEach((b, i) => {
      const n = mine.filter((x) => x.age === b.key).reduce((s, x) => s + x.n, 0);
      cells[b.key] = n;
      totalCells[b.key] = (totalCells[b.key] ?? 0) + n;
      links[b.key] = drill(scope, `status:${st}`, ageTerm(i));
    });
    cells.total = mine.reduce((s, x) => s + x.n, 0);
    cells.unassigned = mine.filter((x) => x.unassigned).reduce((s, x) => s + x.n, 0);
    totalCells.total! += cells.total;
    totalCells.unassigned! += cells.unassigned;
    ageRows.push({ cells, links });
  }
  const totalLinks: Record<string, string> = { total: drill(scope, 'is:open'), unassigned: drill(scope, 'is:open', 'assignee:none') };
  AGE_BUCKETS.forEach((b, i) => (totalLinks[b.key] = drill(scope, 'is:open', ageTerm(i))));
  // The workspace mini dashboard's figures, from its own queries (one implementation for both);
  // they are scoped like the rest of the report, to the tickets the caller may see.
  const team = scope.unrestricted ? 'whole team' : 'tickets you can see';
  const todayTable: ReportTable[] = today
    ? [
        {
          id: 'today',
          title: `Today (${today.timeZone}), ${team}`,
          chart: 'none',
          columns: [
            { key: 'createdToday', label: 'Created today', kind: 'count' },
            { key: 'resolvedToday', label: 'Resolved today', kind: 'count' },
            { key: 'inProgress', label: 'In progress', kind: 'count' },
            { key: 'waiting', label: 'Waiting', kind: 'count' },
            { key: 'unassigned', label: 'Unassigned', kind: 'count' },
            { key: 'resolvedWithin24hRate', label: 'Resolved within 24 h (last 7 days)', kind: 'rate' },
          ],
          rows: [
            {
              cells: { ...today.everyone },
              links: {
                createdToday: `created>=${today.today.from} created<${today.today.to}`,
                resolvedToday: `resolved>=${today.today.from} resolved<${today.today.to}`,
                inProgress: 'status:in_progress',
                waiting: 'status:waiting',
                unassigned: 'is:open assignee:none',
              },
            },
          ],
          totals: null,
        },
      ]
    : [];
  return {
    tables: [
      ...todayTable,
      {
        id: 'backlog',
        title: 'Open tickets at the end of each period',
        chart: 'line',
        columns: [
          { key: 'period', label: 'Period', kind: 'date' },
          { key: 'open', label: 'Open at end', kind: 'count' },
          { key: 'created', label: 'Created', kind: 'count' },
          { key: 'resolved', label: 'Resolved', kind: 'count' },
        ],
        rows,
        totals: null,
      },
      {
        id: 'open-now',
        title: 'Open now by status and age',
        chart: 'stacked',
        columns: [
          { key: 'status', label: 'Status', kind: 'text' },
          ...AGE_BUCKETS.map((b) => ({ key: b.key, label: b.label, kind: 'count' as const })),
          { key: 'total', label: 'Total', kind: 'count' },
          { key: 'unassigned', label: 'Unassigned', kind: 'count' },
        ],
        rows: ageRows,
        totals: { cells: { status: 'All open', ...totalCells }, links: totalLinks },
      },
    ],
    notes: [
      'Open at the end of a period: created before its end and not resolved by then, by the tickets\' current timestamps (a reopened ticket counts as open from its creation).',
      'Open now: open, in progress or waiting; age since creation.',
      `Today: the workspace mini dashboard's figures (same queries), for the ${team} and without the report filters.`,
    ],
  };
}
