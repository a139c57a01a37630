import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Report rollups of time logged and of tags, so the time, agent and tag-split reports read
 * daily cells instead of joining every time entry or tag to its ticket. Rebuilt from the time
 * entries, the tags and the tickets; empty until the rollups job rebuilds them.
 */
export async function up(db: Kysely<any>, _dialect: MigrationDialect): Promise<void> {
  // The organization is a split of the time report (and now of the rollups).
  await db.schema.alterTable('report_ticket_facts').addColumn('organization_id', 'text', (c) => c.notNull().defaultTo('')).execute();

  // The tags a ticket was counted under, so a tag change moves its cells from the old tags.
  await db.schema
    .createTable('report_ticket_tags')
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_ticket_tags_pk', ['ticket_id', 'tag'])
    .execute();

  // Time logged by one agent on one ticket on one work date: minutes and entries; `gap`: days
  // since that agent's previous work date on the ticket (0 for the first), so "tickets" in a
  // range counts each ticket once without reading every entry.
  await db.schema
    .createTable('report_ticket_time')
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addColumn('gap', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_ticket_time_pk', ['ticket_id', 'agent_id', 'day'])
    .execute();
  // The rollups' previous state no longer covers these tables: the job rebuilds.
  await sql`DELETE FROM report_settings WHERE key = 'rollups'`.execute(db);
}
