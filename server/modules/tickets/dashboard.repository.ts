import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { elapsedAtMost } from '../../platform/db/dialect/sql.js';
import type { TicketPredicate } from './tickets.repository.js';
import type { TicketTables } from './tickets.tables.js';

const q = (db: AnyDb) => db as Kysely<TicketTables>;

export interface DashboardWindow {
  me: string;
  myGroupIds: string[];
  dayFrom: string;
  dayTo: string;
  weekFrom: string;
  /** The caller's visibility scope (tickets.policy); null: every ticket. */
  scope: TicketPredicate | null;
}

const DAY_MS = 86400_000;
const count = (cond: RawBuilder<unknown>) => sql<number>`coalesce(sum(case when ${cond} then 1 else 0 end), 0)`;

/**
 * Narrows a count to the tickets the caller may see (tickets.policy). group_id is not in the
 * created and resolved indexes, so for a restricted caller those counts look each ticket of the
 * range up in the table; unrestricted callers (no scope) keep the index-only plans below.
 */
const scoped = <Q extends { where(p: TicketPredicate): Q }>(query: Q, w: DashboardWindow): Q => (w.scope ? query.where(w.scope) : query);

/*
 * Unrestricted, every count reads one covering index and nothing else. Where the index leads
 * with a range (created_at, resolved_at) the other conditions are counted from the index entries rather
 * than put in the WHERE: `spam = 0` there would let SQLite's planner (without statistics)
 * prefer the spam index and walk every ticket.
 */

/** Created in the day, all and mine: a range of tickets_dash_created (created_at, spam, assignee_id). */
export function createdTodayQuery(db: AnyDb, w: DashboardWindow) {
  return scoped(
    q(db)
      .selectFrom('tickets')
      .select([count(sql`spam = 0`).as('all'), count(sql`spam = 0 and assignee_id = ${w.me}`).as('mine')])
      .where('created_at', '>=', w.dayFrom)
      .where('created_at', '<', w.dayTo),
    w,
  );
}

/**
 * Resolved in the day and in the last 7 days (and within 24 h of creation), all and mine, in one
 * pass over tickets_dash_resolved (resolved_at, created_at, spam, merged_into_id, assignee_id).
 * A merged ticket was closed, not resolved, so it does not count.
 */
export function resolvedQuery(db: AnyDb, w: DashboardWindow) {
  const from = w.dayFrom < w.weekFrom ? w.dayFrom : w.weekFrom;
  const live = sql`spam = 0 and merged_into_id is null`;
  const today = sql`${live} and resolved_at >= ${w.dayFrom} and resolved_at < ${w.dayTo}`;
  const week = sql`${live} and resolved_at >= ${w.weekFrom}`;
  const fast = elapsedAtMost(db, 'created_at', 'resolved_at', DAY_MS);
  const mine = sql`assignee_id = ${w.me}`;
  return scoped(
    q(db)
      .selectFrom('tickets')
      .select([
        count(today).as('today_all'),
        count(sql`${today} and ${mine}`).as('today_mine'),
        count(week).as('week_all'),
        count(sql`${week} and ${mine}`).as('week_mine'),
        count(sql`${week} and ${fast}`).as('fast_all'),
        count(sql`${week} and ${fast} and ${mine}`).as('fast_mine'),
      ])
      .where('resolved_at', '>=', from),
    w,
  );
}

/**
 * Open work: one scalar count per figure, each an index-only seek into tickets_dash_active
 * (status, spam, assignee_id, group_id). Pure counts over equality prefixes stay cheap even
 * when a status holds tens of thousands of tickets; only "all in progress" and "all waiting"
 * walk a long range, and they only count entries.
 */
export function activeQuery(db: AnyDb, w: DashboardWindow) {
  const base = (statuses: string[]) =>
    scoped(
      q(db)
        .selectFrom('tickets')
        .select(sql<number>`count(*)`.as('n'))
        .where('status', 'in', statuses)
        .where(sql<boolean>`spam = 0`),
      w,
    );
  const active = ['open', 'in_progress', 'waiting'];
  return q(db).selectNoFrom([
    base(['in_progress']).as('in_progress_all'),
    base(['in_progress']).where('assignee_id', '=', w.me).as('in_progress_mine'),
    base(['waiting']).as('waiting_all'),
    base(['waiting']).where('assignee_id', '=', w.me).as('waiting_mine'),
    base(active).where('assignee_id', 'is', null).as('unassigned_all'),
    (w.myGroupIds.length ? base(active).where('assignee_id', 'is', null).where('group_id', 'in', w.myGroupIds) : base(active).where(sql<boolean>`1 = 0`)).as('unassigned_mine'),
  ]);
}

export interface DashboardCounts {
  createdToday: number;
  resolvedToday: number;
  inProgress: number;
  waiting: number;
  unassigned: number;
  resolvedLast7Days: number;
  resolvedWithin24h: number;
}

export async function dashboardCounts(db: AnyDb, w: DashboardWindow): Promise<{ me: DashboardCounts; everyone: DashboardCounts }> {
  const [created, resolved, active] = await Promise.all([createdTodayQuery(db, w).executeTakeFirst(), resolvedQuery(db, w).executeTakeFirst(), activeQuery(db, w).executeTakeFirst()]);
  const n = (v: unknown) => Number(v ?? 0);
  return {
    me: {
      createdToday: n(created?.mine),
      resolvedToday: n(resolved?.today_mine),
      inProgress: n(active?.in_progress_mine),
      waiting: n(active?.waiting_mine),
      unassigned: n(active?.unassigned_mine),
      resolvedLast7Days: n(resolved?.week_mine),
      resolvedWithin24h: n(resolved?.fast_mine),
    },
    everyone: {
      createdToday: n(created?.all),
      resolvedToday: n(resolved?.today_all),
      inProgress: n(active?.in_progress_all),
      waiting: n(active?.waiting_all),
      unassigned: n(active?.unassigned_all),
      resolvedLast7Days: n(resolved?.week_all),
      resolvedWithin24h: n(resolved?.fast_all),
    },
  };
}
