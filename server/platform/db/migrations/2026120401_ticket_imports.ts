import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Which ticket an import made from each external id (the messages module owns it): a retried
 * batch finds its tickets here instead of importing them twice. The primary key also settles
 * two imports of one id running at once; deleting the ticket frees its id for a new import.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
  await db.schema
    .createTable('ticket_imports')
    .addColumn('external_id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('imported_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_imports_ticket').on('ticket_imports').column('ticket_id').execute();
}
