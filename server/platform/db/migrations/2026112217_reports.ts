import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Reports: projections of SLA and CSAT events (the reports module owns them; rebuilt from the
 * events they record), report settings, and covering indexes so the report queries over a
 * date range read only index entries.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

  await db.schema
    .createTable('report_csat')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey())
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('scale', 'text', (c) => c.notNull())
    .addColumn('positive', 'integer', (c) => c.notNull())
    .addColumn('has_comment', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_csat_rated').on('report_csat').columns(['rated_at', 'ticket_id']).execute();

  await db.schema
    .createTable('report_sla_events')
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('due_at', ts, (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('report_sla_events_pk', ['ticket_id', 'kind', 'target', 'due_at'])
    .execute();
  await db.schema.createIndex('report_sla_events_at').on('report_sla_events').columns(['kind', 'at']).execute();

  await db.schema
    .createTable('report_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  // Daily rollups of the volume figures in the account time zone, per split: rebuilt from the
  // tickets and their event log, kept up to date from ticket events (reports.rollups.ts).
  await db.schema
    .createTable('report_daily')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_daily_pk', ['time_zone', 'metric', 'dim', 'key', 'day'])
    .execute();
  // What each ticket contributes to the rollups now, so a change moves exactly its own counts.
  await db.schema
    .createTable('report_ticket_facts')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey())
    .addColumn('created_day', 'text')
    .addColumn('resolved_day', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('report_ticket_reopens')
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_ticket_reopens_pk', ['ticket_id', 'day'])
    .execute();

  // Covering indexes: a report over a range of days groups by these columns without table reads.
  // Partial (live tickets only, as the filter language selects by default), so the mini
  // dashboard's own indexes stay the planner's choice for its counts.
  const live = sql`WHERE spam = 0 AND merged_into_id IS NULL`;
  await sql`CREATE INDEX tickets_report_created ON tickets (created_at, channel, group_id, priority, type, assignee_id, first_response_at, resolved_at, is_open) ${live}`.execute(db);
  await sql`CREATE INDEX tickets_report_resolved ON tickets (resolved_at, channel, group_id, priority, type, assignee_id, created_at, reopen_count) ${live}`.execute(db);
  const idx = async (name: string, table: string, cols: string[]) => db.schema.createIndex(name).on(table).columns(cols).execute();
  await idx('time_entries_work_date', 'time_entries', ['work_date', 'ticket_id', 'user_id', 'minutes']);
}
