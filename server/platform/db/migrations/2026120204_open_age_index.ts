import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * The backlog report's "open now by status, age and assignee" reads every open ticket: from
 * this index alone instead of the table (0.53 s -> 0.21 s for 158k open tickets at 1M).
 * Partial like the queue indexes: spam and merged tickets are never counted.
 */
export async function up(db: Kysely<any>, _dialect: MigrationDialect): Promise<void> {
  await sql`CREATE INDEX tickets_open_age ON tickets (is_open, status, created_at, assignee_id) WHERE spam = 0 AND merged_into_id IS NULL`.execute(db);
}
