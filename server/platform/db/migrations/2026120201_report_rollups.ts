import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Report rollups beyond volume: each ticket's measured durations and outcome flags beside its
 * days and keys (report_ticket_facts), its public replies per agent and local day, and daily
 * cells of those per split. All rebuilt from the tickets and their event log; empty until the
 * rollups job rebuilds them (reports read the live queries until then).
 */
export async function up(db: Kysely<any>, _dialect: MigrationDialect): Promise<void> {
  const add = (column: string, type: 'double precision' | 'integer') => db.schema.alterTable('report_ticket_facts').addColumn(column, type).execute();
  // Calendar seconds and the histogram bucket (whole minutes under a day, whole hours above).
  await add('first_response_seconds', 'double precision');
  await add('first_response_bucket', 'integer');
  await add('resolution_seconds', 'double precision');
  await add('resolution_bucket', 'integer');
  // Bit set: 1 ever reopened, 2 CSAT rated, 4 rated positive, 8 rating has a comment, 16 resolved now.
  await db.schema.alterTable('report_ticket_facts').addColumn('flags', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  // Public replies of one agent on one ticket on one local day; `gap`: days since that agent's
  // previous reply day on the ticket (0 for the first), so "tickets replied to" in a range
  // counts each ticket once without reading every reply.
  await db.schema
    .createTable('report_ticket_replies')
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('gap', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_ticket_replies_pk', ['ticket_id', 'agent_id', 'day'])
    .execute();

  // Daily cells with a sub-key (a duration bucket, a flag set, a reply gap), a count and a sum
  // of seconds: speed histograms, quality and agent figures read a few thousand of these.
  await db.schema
    .createTable('report_daily_stats')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('bucket', 'integer', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('seconds', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_daily_stats_pk', ['time_zone', 'metric', 'dim', 'day', 'key', 'bucket'])
    .execute();
  // The rollups' previous state no longer covers these tables: the job rebuilds.
  await sql`DELETE FROM report_settings WHERE key = 'rollups'`.execute(db);
}
