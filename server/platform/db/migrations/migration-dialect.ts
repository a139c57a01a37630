import { sql, type Kysely } from 'kysely';

/** The engine a migration runs on; DDL differs in a few types (timestamps, JSON, full text). */
export type MigrationDialect = 'sqlite' | 'postgres';

/**
 * After an index is recreated on a SQLite database that keeps planner statistics (ANALYZE has
 * run), the new index has none, and plans that weigh it against the others can turn bad (the
 * live reopen count went from 2 s to 11 s at 1M). Gives it its statistics; a database without
 * any keeps planning on SQLite's defaults.
 */
export async function analyzeIfAnalyzed(db: Kysely<any>, dialect: MigrationDialect, index: string): Promise<void> {
  if (dialect !== 'sqlite') return;
  const stats = await sql<{ one: number }>`SELECT 1 AS one FROM sqlite_master WHERE name = 'sqlite_stat1'`.execute(db);
  if (stats.rows.length) await sql`ANALYZE ${sql.id(index)}`.execute(db);
}
