import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Automations: one ordered rule table for routing rules, event triggers and time rules; per-group
 * assignment strategies (with the round-robin cursor); the episodes a time rule acted in (once per
 * ticket per condition episode, kept across restarts); and the index the "resolved for N days"
 * sweep reads.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
  const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

  await db.schema
    .createTable('automation_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('events', json, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('conditions', json, (c) => c.notNull())
    .addColumn('actions', json, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('automation_rules_kind').on('automation_rules').columns(['kind', 'position', 'id']).execute();

  await db.schema
    .createTable('automation_group_strategies')
    .addColumn('group_id', 'text', (c) => c.primaryKey())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('senior_agent_ids', json, (c) => c.notNull())
    // Round robin: the agent who got the group's last ticket.
    .addColumn('last_user_id', 'text')
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('automation_episodes')
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('automation_episodes_pk', ['rule_id', 'ticket_id'])
    .execute();

  // "Resolved for N days" sweeps: the resolved tickets, oldest resolution first.
  await db.schema.createIndex('tickets_status_resolved').on('tickets').columns(['status', 'resolved_at', 'id']).execute();
  await db.schema.createIndex('tickets_status_created').on('tickets').columns(['status', 'created_at', 'id']).execute();
}
