import { sql, type Kysely } from 'kysely';
import type { ReportDimension } from '../../../contracts/reports.js';
import type { AnyDb } from '../../platform/db/database.js';
import { dimensionKey, scoped } from './reports.repository.js';
import type { ReportScope } from './report-scope.js';
import type { ReportTables } from './reports.tables.js';

/** The reports' own projections of CSAT and SLA events, and the queries over them. */

const q = (db: AnyDb) => db as Kysely<ReportTables>;

/** good_bad: 1 is good; five: 4 or 5. */
export const isPositive = (scale: string, rating: number): boolean => (scale === 'good_bad' ? rating >= 1 : rating >= 4);

/** Keeps the latest rating of a ticket (a customer may change their mind). */
export async function upsertCsat(db: AnyDb, r: { ticketId: string; rating: number; scale: string; hasComment: boolean; at: string }): Promise<void> {
  const row = { ticket_id: r.ticketId, rating: r.rating, scale: r.scale, positive: isPositive(r.scale, r.rating) ? 1 : 0, has_comment: r.hasComment ? 1 : 0, rated_at: r.at };
  await q(db)
    .insertInto('report_csat')
    .values(row)
    .onConflict((oc) => oc.column('ticket_id').doUpdateSet({ rating: row.rating, scale: row.scale, positive: row.positive, has_comment: row.has_comment, rated_at: row.rated_at }))
    .execute();
}

export async function recordSlaEvent(db: AnyDb, e: { ticketId: string; kind: 'warning' | 'breached'; target: string; dueAt: string; policyId: string; at: string }): Promise<void> {
  await q(db)
    .insertInto('report_sla_events')
    .values({ ticket_id: e.ticketId, kind: e.kind, target: e.target, due_at: e.dueAt, policy_id: e.policyId, at: e.at })
    .onConflict((oc) => oc.columns(['ticket_id', 'kind', 'target', 'due_at']).doNothing())
    .execute();
}


/** Ratings of tickets resolved in the range, by key. */
export async function csatByKey(db: AnyDb, scope: ReportScope, by: ReportDimension): Promise<{ key: string | null; rated: number; positive: number; comments: number }[]> {
  const base = q(db).selectFrom('report_csat').innerJoin('tickets', 'tickets.id', 'report_csat.ticket_id');
  const joined = by === 'tag' ? base.leftJoin('ticket_tags', 'ticket_tags.ticket_id', 'tickets.id') : base;
  const rows = await joined
    .select([dimensionKey(by).as('k'), sql<number>`count(*)`.as('n'), sql<number>`sum(report_csat.positive)`.as('p'), sql<number>`sum(report_csat.has_comment)`.as('c')])
    .where('tickets.resolved_at', '>=', scope.fromAt)
    .where('tickets.resolved_at', '<', scope.toAt)
    .where(scoped(scope))
    .groupBy(sql`1`)
    .execute();
  return rows.map((r) => ({ key: r.k === null ? null : String(r.k), rated: Number(r.n), positive: Number(r.p ?? 0), comments: Number(r.c ?? 0) }));
}

export const csatByAgent = (db: AnyDb, scope: ReportScope) => csatByKey(db, scope, 'agent');

/** Tickets created in the range, and how many breached each target, by key (policy or priority). */
export async function slaCompliance(db: AnyDb, scope: ReportScope, by: 'priority' | 'policy'): Promise<{ key: string | null; target: string; breached: number }[]> {
  const key = by === 'priority' ? sql<string>`tickets.priority` : sql<string>`report_sla_events.policy_id`;
  const rows = await q(db)
    .selectFrom('report_sla_events')
    .innerJoin('tickets', 'tickets.id', 'report_sla_events.ticket_id')
    .select([key.as('k'), 'report_sla_events.target as t', sql<number>`count(distinct report_sla_events.ticket_id)`.as('n')])
    .where('report_sla_events.kind', '=', 'breached')
    .where('tickets.created_at', '>=', scope.fromAt)
    .where('tickets.created_at', '<', scope.toAt)
    .where(scoped(scope))
    .groupBy([sql`1`, sql`2`])
    .execute();
  return rows.map((r) => ({ key: r.k === null ? null : String(r.k), target: String(r.t), breached: Number(r.n) }));
}

/** Open tickets with an SLA warning for a due time still ahead and no breach of it: at risk now. */
export async function atRiskNow(db: AnyDb, scope: ReportScope): Promise<{ ticketId: string; number: number; target: string; dueAt: string }[]> {
  const rows = await q(db)
    .selectFrom('report_sla_events as w')
    .innerJoin('tickets', 'tickets.id', 'w.ticket_id')
    .select(['w.ticket_id', 'tickets.number', 'w.target', 'w.due_at'])
    .where('w.kind', '=', 'warning')
    .where('w.due_at', '>', scope.now.toISOString())
    .where('tickets.is_open', '=', 1)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('report_sla_events as b')
            .select(sql.lit(1).as('one'))
            .whereRef('b.ticket_id', '=', 'w.ticket_id')
            .whereRef('b.target', '=', 'w.target')
            .whereRef('b.due_at', '=', 'w.due_at')
            .where('b.kind', '=', 'breached'),
        ),
      ),
    )
    .where(scoped(scope))
    .orderBy('w.due_at')
    .limit(500)
    .execute();
  return rows.map((r) => ({ ticketId: r.ticket_id, number: Number(r.number), target: r.target, dueAt: new Date(r.due_at).toISOString() }));
}
