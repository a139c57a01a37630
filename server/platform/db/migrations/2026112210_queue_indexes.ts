import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * "Open" (new, in progress, waiting) as one column, so the busiest views (all open, my open,
 * my groups, unassigned) are an equality plus the (updated_at, id) order in one index, instead
 * of three status ranges merged and sorted. Partial: spam and merged tickets are never in them.
 */
export async function up(db: Kysely<any>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('is_open', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`UPDATE tickets SET is_open = CASE WHEN status IN ('open', 'in_progress', 'waiting') THEN 1 ELSE 0 END`.execute(db);
  const partial = sql`WHERE spam = 0 AND merged_into_id IS NULL`;
  await sql`CREATE INDEX tickets_queue_open ON tickets (is_open, updated_at, id) ${partial}`.execute(db);
  await sql`CREATE INDEX tickets_queue_assignee ON tickets (assignee_id, is_open, updated_at, id) ${partial}`.execute(db);
  await sql`CREATE INDEX tickets_queue_group ON tickets (group_id, is_open, updated_at, id) ${partial}`.execute(db);
}
