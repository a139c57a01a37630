import { sql, type Kysely } from 'kysely';
import { analyzeIfAnalyzed, type MigrationDialect } from './migration-dialect.js';

/**
 * The backlog query names spam and merged_into_id (the live-ticket condition), so SQLite did not
 * count tickets_open_age as covering and preferred the queue index plus a table read per open
 * ticket (0.43 s for 158k open tickets at 1M). With both columns in the index it reads the index
 * alone (0.09 s). Still partial like the queue indexes.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  await sql`DROP INDEX tickets_open_age`.execute(db);
  await sql`CREATE INDEX tickets_open_age ON tickets (is_open, status, created_at, assignee_id, spam, merged_into_id) WHERE spam = 0 AND merged_into_id IS NULL`.execute(db);
  await analyzeIfAnalyzed(db, dialect, 'tickets_open_age');
}
