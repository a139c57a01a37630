import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Search rows: one per ticket (subject, requester) and one per message. New rows get higher
 * ids, so "newest match first" walks the index backwards and stops early even for common words.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`CREATE TABLE search_docs (
      id bigserial PRIMARY KEY,
      doc_key text NOT NULL UNIQUE,
      ticket_id text NOT NULL,
      tsv tsvector NOT NULL
    )`.execute(db);
    await sql`CREATE INDEX search_docs_tsv ON search_docs USING gin (tsv)`.execute(db);
    await sql`CREATE INDEX search_docs_ticket ON search_docs (ticket_id)`.execute(db);
    return;
  }
  await sql`CREATE TABLE search_docs (
    id integer PRIMARY KEY AUTOINCREMENT,
    doc_key text NOT NULL UNIQUE,
    ticket_id text NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX search_docs_ticket ON search_docs (ticket_id)`.execute(db);
  await sql`CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
}
