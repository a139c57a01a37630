import type { ReportRow, ReportTable } from '../../../contracts/reports.js';
import type { Ctx } from '../../platform/context.js';
import { findUsersByIds } from '../auth/index.js';
import { addToHistogram, averageMinutes, emptyHistogram, percentile, rate, type Histogram } from './report-math.js';
import { describeKeys, dimensionLabel } from './report-labels.js';
import { drill, rangeTerms, type ReportScope } from './report-scope.js';
import { businessMsBetween } from '../../platform/business-time/business-time.js';
import { getCalendar } from '../sla/index.js';
import { durationRows, type DurationBucket } from './reports.repository.js';
import { agentActivity, durationBuckets, resolvedOutcomes, timeLoggedBy } from './rollup-reads.service.js';

type Result = { tables: ReportTable[]; notes: string[] };

const histogramsByKey = (buckets: DurationBucket[]): Map<string | null, Histogram> => {
  const out = new Map<string | null, Histogram>();
  for (const b of buckets) {
    const h = out.get(b.key) ?? emptyHistogram();
    addToHistogram(h, b.minutes, b.n, b.seconds);
    out.set(b.key, h);
  }
  return out;
};

const DISTRIBUTION = [
  { key: 'lt_1h', label: '< 1 h', max: 60 },
  { key: '1_4h', label: '1-4 h', max: 240 },
  { key: '4_8h', label: '4-8 h', max: 480 },
  { key: '8_24h', label: '8-24 h', max: 1440 },
  { key: '1_3d', label: '1-3 days', max: 4320 },
  { key: '3_7d', label: '3-7 days', max: 10080 },
  { key: 'gt_7d', label: '> 7 days', max: Infinity },
];

/** First response and resolution times (calendar minutes): average, median, 90th percentile, per key. */
const BUSINESS_BATCH = 2000;

/**
 * Business-hours durations of a business calendar (holidays and weekends do not count), read in
 * keyset batches and measured in memory: SQL cannot walk a weekly schedule.
 */
async function businessHistogram(ctx: Ctx, scope: ReportScope, metric: 'first_response' | 'resolution', by: ReportScope['by'], calendarId: string): Promise<DurationBucket[]> {
  const calendar = await getCalendar(ctx, calendarId);
  const out = new Map<string, DurationBucket>();
  let after: { id: string; key: string } | null = null;
  for (;;) {
    const page = await durationRows(ctx.db, scope, metric, by, after, BUSINESS_BATCH);
    for (const r of page) {
      const ms = businessMsBetween(calendar, new Date(r.from), new Date(r.to));
      const m = Math.floor(Math.round(ms / 1000) / 60);
      const minutes = m < 1440 ? m : Math.floor(m / 60) * 60;
      const id = `${r.key ?? ''}\u0000${minutes}`;
      const b = out.get(id) ?? { key: r.key, minutes, n: 0, seconds: 0 };
      b.n += 1;
      b.seconds += ms / 1000;
      out.set(id, b);
    }
    if (page.length < BUSINESS_BATCH) break;
    const last = page[page.length - 1]!;
    after = { id: last.id, key: last.key ?? '' };
  }
  return [...out.values()];
}

export async function speedReport(ctx: Ctx, scope: ReportScope): Promise<Result> {
  const calendarId = scope.calendarId;
  const hist = (metric: 'first_response' | 'resolution', by: ReportScope['by']) =>
    calendarId ? businessHistogram(ctx, scope, metric, by, calendarId) : durationBuckets(ctx, scope, metric, by);
  const [fr, res, frAll, resAll] = await Promise.all([
    hist('first_response', scope.by),
    hist('resolution', scope.by),
    // Only a tag split counts a ticket in several rows; other splits add up to the totals.
    scope.by === 'tag' ? hist('first_response', 'none') : Promise.resolve(null),
    scope.by === 'tag' ? hist('resolution', 'none') : Promise.resolve(null),
  ]);
  const frBy = histogramsByKey(fr);
  const resBy = histogramsByKey(res);
  const keys = new Set([...frBy.keys(), ...resBy.keys()]);
  const info = await describeKeys(ctx, scope.by, keys);
  const created = rangeTerms(scope.timeZone, 'created', scope.from, scope.to);
  const resolved = rangeTerms(scope.timeZone, 'resolved', scope.from, scope.to);
  const row = (label: string, term: string | null, f: Histogram, r: Histogram): ReportRow => ({
    cells: {
      key: label,
      answered: f.n,
      firstResponseAvg: averageMinutes(f),
      firstResponseMedian: percentile(f, 0.5),
      firstResponseP90: percentile(f, 0.9),
      resolved: r.n,
      resolutionAvg: averageMinutes(r),
      resolutionMedian: percentile(r, 0.5),
      resolutionP90: percentile(r, 0.9),
    },
    links: { answered: drill(scope, term, created), resolved: drill(scope, term, resolved) },
  });
  const rows = [...keys]
    .map((k) => row(info.get(k)?.label ?? '', info.get(k)?.term ?? null, frBy.get(k) ?? emptyHistogram(), resBy.get(k) ?? emptyHistogram()))
    .sort((a, b) => String(a.cells.key).localeCompare(String(b.cells.key)));
  const merge = (m: Map<string | null, Histogram>) => {
    const h = emptyHistogram();
    for (const x of m.values()) for (const [min, n] of x.counts) addToHistogram(h, min, n, 0);
    h.seconds = [...m.values()].reduce((s, x) => s + x.seconds, 0);
    return h;
  };
  const fTotal = frAll ? merge(histogramsByKey(frAll)) : merge(frBy);
  const rTotal = resAll ? merge(histogramsByKey(resAll)) : merge(resBy);
  const dist = DISTRIBUTION.map((d, i) => {
    const lo = i === 0 ? 0 : DISTRIBUTION[i - 1]!.max;
    const count = (h: Histogram) => [...h.counts].filter(([m]) => m >= lo && m < d.max).reduce((s, [, n]) => s + n, 0);
    return { cells: { bucket: d.label, firstResponse: count(fTotal), resolution: count(rTotal) }, links: {} };
  });
  const columns = (k: string) => [
    { key: `${k}Avg`, label: 'Average (min)', kind: 'minutes' as const },
    { key: `${k}Median`, label: 'Median (min)', kind: 'minutes' as const },
    { key: `${k}P90`, label: '90th percentile (min)', kind: 'minutes' as const },
  ];
  return {
    tables: [
      {
        id: 'speed',
        title: 'First response and resolution time',
        chart: 'bar',
        chartSeries: [
          { key: 'firstResponseMedian', label: 'First response, median (min)' },
          { key: 'firstResponseP90', label: 'First response, 90th percentile (min)' },
          { key: 'resolutionMedian', label: 'Resolution, median (min)' },
          { key: 'resolutionP90', label: 'Resolution, 90th percentile (min)' },
        ],
        columns: [
          { key: 'key', label: dimensionLabel(scope.by), kind: 'text' },
          { key: 'answered', label: 'Answered', kind: 'count' },
          ...columns('firstResponse'),
          { key: 'resolved', label: 'Resolved', kind: 'count' },
          ...columns('resolution'),
        ],
        rows: scope.by === 'none' ? [] : rows,
        totals: row('All tickets', null, fTotal, rTotal),
      },
      {
        id: 'speed-distribution',
        title: 'Distribution of response and resolution times',
        chart: 'distribution',
        columns: [
          { key: 'bucket', label: 'Time', kind: 'text' },
          { key: 'firstResponse', label: 'First responses', kind: 'count' },
          { key: 'resolution', label: 'Resolutions', kind: 'count' },
        ],
        rows: dist,
        totals: null,
      },
    ],
    notes: [
      'First response: tickets created in the range that got a public reply, from creation to the first reply.',
      'Resolution: tickets resolved in the range, from creation to their last resolution.',
      calendarId
        ? 'Business minutes of the chosen business calendar (open hours only; weekends and holidays do not count); median and 90th percentile are nearest-rank, exact to the minute under a day and to the hour above.'
        : 'Calendar time in minutes (pass `calendar` for business hours); median and 90th percentile are nearest-rank, exact to the minute under a day and to the hour above.',
    ],
  };
}

/** Reopen rate (of tickets resolved in the range, how many were ever reopened) and CSAT, per key. */
export async function qualityReport(ctx: Ctx, scope: ReportScope): Promise<Result> {
  const { resolved: res, csat } = await resolvedOutcomes(ctx, scope, scope.by);
  const keys = new Set([...res.map((r) => r.key), ...csat.map((c) => c.key)]);
  const info = await describeKeys(ctx, scope.by, keys);
  const resolved = rangeTerms(scope.timeZone, 'resolved', scope.from, scope.to);
  const build = (label: string, term: string | null, r: { resolved: number; reopened: number }, c: { rated: number; positive: number; comments: number }): ReportRow => ({
    cells: {
      key: label,
      resolved: r.resolved,
      reopened: r.reopened,
      reopenRate: rate(r.reopened, r.resolved),
      rated: c.rated,
      csatScore: rate(c.positive, c.rated),
      csatResponseRate: rate(c.rated, r.resolved),
      comments: c.comments,
    },
    links: { resolved: drill(scope, term, resolved), reopened: drill(scope, term, resolved, 'reopens>0') },
  });
  const zero = { resolved: 0, reopened: 0 };
  const noCsat = { rated: 0, positive: 0, comments: 0 };
  const rows = [...keys]
    .map((k) => build(info.get(k)?.label ?? '', info.get(k)?.term ?? null, res.find((r) => r.key === k) ?? zero, csat.find((c) => c.key === k) ?? noCsat))
    .sort((a, b) => String(a.cells.key).localeCompare(String(b.cells.key)));
  const sum = <T extends Record<string, number>>(xs: T[], z: T): T => xs.reduce((acc, x) => Object.fromEntries(Object.keys(z).map((k) => [k, acc[k]! + x[k]!])) as T, z);
  const all = scope.by === 'tag' ? await resolvedOutcomes(ctx, scope, 'none') : null;
  const totals = all ? build('All tickets', null, sum(all.resolved, zero), sum(all.csat, noCsat)) : build('All tickets', null, sum(res, zero), sum(csat, noCsat));
  return {
    tables: [
      {
        id: 'quality',
        title: 'Reopens and customer satisfaction',
        chart: 'bar',
        chartSeries: [
          { key: 'resolved', label: 'Resolved' },
          { key: 'reopened', label: 'Ever reopened' },
          { key: 'rated', label: 'CSAT ratings' },
        ],
        columns: [
          { key: 'key', label: dimensionLabel(scope.by), kind: 'text' },
          { key: 'resolved', label: 'Resolved', kind: 'count' },
          { key: 'reopened', label: 'Ever reopened', kind: 'count' },
          { key: 'reopenRate', label: 'Reopen rate', kind: 'rate' },
          { key: 'rated', label: 'CSAT ratings', kind: 'count' },
          { key: 'csatScore', label: 'CSAT (share positive)', kind: 'rate' },
          { key: 'csatResponseRate', label: 'CSAT response rate', kind: 'rate' },
          { key: 'comments', label: 'CSAT comments', kind: 'count' },
        ],
        rows: scope.by === 'none' ? [] : rows,
        totals,
      },
    ],
    notes: [
      'Of the tickets resolved in the range: how many were ever reopened (resolved back to open, in progress or waiting in the ticket history).',
      'CSAT: the latest rating of those tickets (good, or 4-5 of 5, counts as positive); response rate = ratings / resolved.',
    ],
  };
}

/** Per agent: tickets assigned (created in the range), resolved, replies, response time, CSAT, time logged. */
export async function agentsReport(ctx: Ctx, scope: ReportScope): Promise<Result> {
  const [{ assigned, replies }, time, { resolved: resolvedIn, csat }] = await Promise.all([agentActivity(ctx, scope), timeLoggedBy(ctx, scope, 'agent'), resolvedOutcomes(ctx, scope, 'agent')]);
  const ids = new Set<string>();
  for (const x of [...assigned.map((a) => a.agentId), ...replies.map((r) => r.agentId), ...time.map((t) => t.key), ...resolvedIn.map((r) => r.key), ...csat.map((c) => c.key)]) if (x) ids.add(x);
  const users = new Map((await findUsersByIds(ctx.db, [...ids])).map((u) => [u.id, u]));
  const created = rangeTerms(scope.timeZone, 'created', scope.from, scope.to);
  const resolved = rangeTerms(scope.timeZone, 'resolved', scope.from, scope.to);
  const rows: ReportRow[] = [...ids].map((id) => {
    const a = assigned.find((x) => x.agentId === id);
    const r = replies.find((x) => x.agentId === id);
    const c = csat.find((x) => x.key === id);
    const term = `assignee:${id}`;
    return {
      cells: {
        agent: users.get(id)?.name ?? id,
        assigned: a?.assigned ?? 0,
        resolvedOfAssigned: a?.resolvedNow ?? 0,
        resolutionRate: rate(a?.resolvedNow ?? 0, a?.assigned ?? 0),
        resolved: resolvedIn.find((x) => x.key === id)?.resolved ?? 0,
        replies: r?.replies ?? 0,
        ticketsReplied: r?.tickets ?? 0,
        avgFirstResponse: a && a.answered ? Math.round((a.responseSeconds / 60 / a.answered) * 10) / 10 : null,
        csatScore: c ? rate(c.positive, c.rated) : null,
        minutesLogged: time.find((t) => t.key === id)?.minutes ?? 0,
      },
      links: {
        assigned: drill(scope, term, created),
        resolvedOfAssigned: drill(scope, term, created, 'status:resolved,closed'),
        resolved: drill(scope, term, resolved),
      },
    };
  });
  rows.sort((x, y) => String(x.cells.agent).localeCompare(String(y.cells.agent)));
  return {
    tables: [
      {
        id: 'agents',
        title: 'Per agent',
        chart: 'bar',
        chartSeries: [
          { key: 'assigned', label: 'Assigned (created in range)' },
          { key: 'resolved', label: 'Resolved in range' },
          { key: 'replies', label: 'Replies sent' },
          { key: 'ticketsReplied', label: 'Tickets replied to' },
        ],
        columns: [
          { key: 'agent', label: 'Agent', kind: 'text' },
          { key: 'assigned', label: 'Assigned (created in range)', kind: 'count' },
          { key: 'resolvedOfAssigned', label: 'Of those resolved', kind: 'count' },
          { key: 'resolutionRate', label: 'Resolution rate', kind: 'rate' },
          { key: 'resolved', label: 'Resolved in range', kind: 'count' },
          { key: 'replies', label: 'Replies sent', kind: 'count' },
          { key: 'ticketsReplied', label: 'Tickets replied to', kind: 'count' },
          { key: 'avgFirstResponse', label: 'Avg first response (min)', kind: 'minutes' },
          { key: 'csatScore', label: 'CSAT', kind: 'rate' },
          { key: 'minutesLogged', label: 'Time logged (min)', kind: 'minutes' },
        ],
        rows,
        totals: null,
      },
    ],
    notes: ['Assigned and resolved go by the current assignee; replies by their author (from the ticket history); time logged by the agent who logged it, on work dates in the range.'],
  };
}

/** Minutes logged on work dates in the range, by agent, ticket type and organization. */
export async function timeReport(ctx: Ctx, scope: ReportScope): Promise<Result> {
  const parts = [
    { by: 'agent' as const, title: 'Time logged by agent' },
    { by: 'type' as const, title: 'Time logged by ticket type' },
    { by: 'organization' as const, title: 'Time logged by organization' },
  ];
  const tables: ReportTable[] = [];
  for (const p of parts) {
    const rows = await timeLoggedBy(ctx, scope, p.by);
    const info = await describeKeys(ctx, p.by, rows.map((r) => r.key));
    const total = rows.reduce((s, r) => ({ minutes: s.minutes + r.minutes, entries: s.entries + r.entries }), { minutes: 0, entries: 0 });
    tables.push({
      id: `time-${p.by}`,
      title: p.title,
      chart: 'bar',
      chartSeries: [{ key: 'hours', label: 'Hours logged' }],
      columns: [
        { key: 'key', label: dimensionLabel(p.by), kind: 'text' },
        { key: 'minutes', label: 'Minutes', kind: 'minutes' },
        { key: 'hours', label: 'Hours', kind: 'minutes' },
        { key: 'tickets', label: 'Tickets', kind: 'count' },
        { key: 'entries', label: 'Entries', kind: 'count' },
      ],
      rows: rows
        .map((r) => ({
          cells: { key: info.get(r.key)?.label ?? '', minutes: r.minutes, hours: Math.round((r.minutes / 60) * 100) / 100, tickets: r.tickets, entries: r.entries },
          links: (p.by === 'agent' ? {} : { tickets: drill(scope, info.get(r.key)?.term ?? null) }) as Record<string, string>,
        }))
        // Ties by label, so the order does not depend on how the database grouped the rows.
        .sort((a, b) => Number(b.cells.minutes) - Number(a.cells.minutes) || String(a.cells.key).localeCompare(String(b.cells.key))),
      totals: { cells: { key: 'Total', minutes: total.minutes, hours: Math.round((total.minutes / 60) * 100) / 100, tickets: null, entries: total.entries }, links: {} },
    });
  }
  return { tables, notes: ['Time entries count on their work date (the calendar date the agent entered), on tickets matching the filter.'] };
}
