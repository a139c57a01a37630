import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * The search index's word splitting changed (accents folded, Chinese and Japanese split into
 * character pairs); the `search.upgrade` job rewrites the rows written before. A store with no
 * rows yet has nothing to upgrade, so it starts marked as current (a new installation, or a
 * bench data set, never walks its index).
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const value = JSON.stringify({ version: 2, phase: 'messages', after: null });
  const typed = dialect === 'postgres' ? sql`CAST(${value} AS jsonb), now()` : sql`${value}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
  await sql`INSERT INTO settings (key, value, updated_at) SELECT 'search_words', ${typed} WHERE NOT EXISTS (SELECT 1 FROM search_docs)`.execute(db);
}
