import type { Ctx } from '../../platform/context.js';
import type { ReportScope } from './report-scope.js';
import { assignedCreated, durationHistogram, repliesByAgent, resolvedWithReopens, timeLogged, type DurationBucket } from './reports.repository.js';
import { FLAG } from './rollups.repository.js';
import { readStats, type TimeDim } from './rollup-stats.repository.js';
import { usable } from './rollups.service.js';
import { csatByKey } from './sla-csat.repository.js';
import { addDays } from './time-buckets.js';

/**
 * The speed, quality and agent figures from the daily rollups when they apply (no filter, no
 * visibility scope, built for the account zone), else from the live queries; both give the
 * same figures (tests compare them).
 */

/** Rollups store a missing group or assignee as ''; the live queries give null. */
const keyOf = (dim: string, key: string): string | null => (dim === 'none' ? '' : key === '' ? null : key);

/** First response (by created day) or resolution (by resolved day) durations as histogram buckets. */
export async function durationBuckets(ctx: Ctx, scope: ReportScope, metric: 'first_response' | 'resolution', by: ReportScope['by']): Promise<DurationBucket[]> {
  const dim = await usable(ctx, scope, by);
  if (!dim) return durationHistogram(ctx.db, scope, metric, by);
  const rows = await readStats(ctx.db, scope.timeZone, metric, dim, scope.from, scope.to);
  return rows.map((r) => ({ key: keyOf(dim, r.key), minutes: r.bucket, n: r.n, seconds: r.seconds }));
}

export interface Outcomes {
  resolved: { key: string | null; resolved: number; reopened: number }[];
  csat: { key: string | null; rated: number; positive: number; comments: number }[];
}

/** Of the tickets resolved in the range, per key: how many, ever reopened, and their CSAT ratings. */
export async function resolvedOutcomes(ctx: Ctx, scope: ReportScope, by: ReportScope['by']): Promise<Outcomes> {
  const dim = await usable(ctx, scope, by);
  if (!dim) {
    const [resolved, csat] = await Promise.all([resolvedWithReopens(ctx.db, scope, by), csatByKey(ctx.db, scope, by)]);
    return { resolved, csat };
  }
  const per = new Map<string | null, { resolved: number; reopened: number; rated: number; positive: number; comments: number }>();
  for (const r of await readStats(ctx.db, scope.timeZone, 'resolved_flags', dim, scope.from, scope.to)) {
    const key = keyOf(dim, r.key);
    const c = per.get(key) ?? { resolved: 0, reopened: 0, rated: 0, positive: 0, comments: 0 };
    const has = (bit: number) => ((r.bucket & bit) !== 0 ? r.n : 0);
    c.resolved += r.n;
    c.reopened += has(FLAG.reopened);
    c.rated += has(FLAG.rated);
    c.positive += has(FLAG.positive);
    c.comments += has(FLAG.comment);
    per.set(key, c);
  }
  const all = [...per.entries()];
  return {
    resolved: all.map(([key, c]) => ({ key, resolved: c.resolved, reopened: c.reopened })),
    csat: all.filter(([, c]) => c.rated > 0).map(([key, c]) => ({ key, rated: c.rated, positive: c.positive, comments: c.comments })),
  };
}

export interface AgentActivity {
  assigned: Awaited<ReturnType<typeof assignedCreated>>;
  replies: Awaited<ReturnType<typeof repliesByAgent>>;
}

/** Per assignee: created in the range, resolved now, first responses; per author: replies and tickets replied to. */
export async function agentActivity(ctx: Ctx, scope: ReportScope): Promise<AgentActivity> {
  const dim = await usable(ctx, scope, 'agent');
  if (!dim) {
    const [assigned, replies] = await Promise.all([assignedCreated(ctx.db, scope), repliesByAgent(ctx.db, scope)]);
    return { assigned, replies };
  }
  const read = (metric: Parameters<typeof readStats>[2], perDay = false) => readStats(ctx.db, scope.timeZone, metric, dim, scope.from, scope.to, perDay);
  const [created, replies, replied] = await Promise.all([read('created_flags'), read('replies'), read('replied_tickets', true)]);
  const assigned = new Map<string | null, AgentActivity['assigned'][number]>();
  const row = (key: string) => {
    const agentId = keyOf(dim, key);
    const a = assigned.get(agentId) ?? { agentId, assigned: 0, resolvedNow: 0, answered: 0, responseSeconds: 0 };
    assigned.set(agentId, a);
    return a;
  };
  for (const r of created) {
    const a = row(r.key);
    a.assigned += r.n;
    if (r.bucket & FLAG.resolvedNow) a.resolvedNow += r.n;
    if (r.bucket & FLAG.answered) a.answered += r.n;
    a.responseSeconds += r.seconds;
  }
  // A ticket counts once per agent: on its first reply day in the range (no earlier reply day of
  // that agent on it inside the range, i.e. the previous one is before `from` or there is none).
  const tickets = new Map<string, number>();
  for (const r of replied) if (r.bucket === 0 || addDays(r.day, -r.bucket) < scope.from) tickets.set(r.key, (tickets.get(r.key) ?? 0) + r.n);
  return {
    assigned: [...assigned.values()],
    replies: replies.map((r) => ({ agentId: r.key, replies: r.n, tickets: tickets.get(r.key) ?? 0 })),
  };
}

/** Time logged on work dates in the range per agent (who logged it), ticket type or organization. */
export async function timeLoggedBy(ctx: Ctx, scope: ReportScope, by: TimeDim): Promise<Awaited<ReturnType<typeof timeLogged>>> {
  const dim = await usable(ctx, scope, by);
  if (!dim) return timeLogged(ctx.db, scope, by);
  const [logged, worked] = await Promise.all([readStats(ctx.db, scope.timeZone, 'time_logged', dim, scope.from, scope.to), readStats(ctx.db, scope.timeZone, 'time_tickets', dim, scope.from, scope.to, true)]);
  // A ticket counts once per key: on its first work date in the range (as for replies above).
  const tickets = new Map<string, number>();
  for (const r of worked) if (r.bucket === 0 || addDays(r.day, -r.bucket) < scope.from) tickets.set(r.key, (tickets.get(r.key) ?? 0) + r.n);
  return logged.map((r) => ({ key: keyOf(dim, r.key), minutes: Math.round(r.seconds / 60), tickets: tickets.get(r.key) ?? 0, entries: r.n }));
}
