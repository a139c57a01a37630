import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Outgoing webhooks with their delivery log, external issue trackers and the tickets transferred
 * to them, and CSAT: its settings (signing secret included) and one rating per ticket.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
  const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

  await db.schema
    .createTable('integration_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('allow_private_targets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('event_types', json, (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  // One row per attempt; attempts of one event share a delivery_id.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('response_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_log').on('webhook_deliveries').columns(['webhook_id', 'id']).execute();
  await db.schema.createIndex('webhook_deliveries_delivery').on('webhook_deliveries').columns(['delivery_id', 'attempt']).execute();
  await db.schema.createIndex('webhook_deliveries_age').on('webhook_deliveries').columns(['created_at']).execute();

  await db.schema
    .createTable('issue_trackers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('create_url', 'text', (c) => c.notNull())
    .addColumn('create_template', 'text', (c) => c.notNull())
    .addColumn('comment_url', 'text')
    .addColumn('comment_template', 'text')
    .addColumn('headers', json, (c) => c.notNull())
    .addColumn('id_path', 'text', (c) => c.notNull())
    .addColumn('url_path', 'text')
    .addColumn('inbound_secret', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ticket_transfers')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_number', 'integer', (c) => c.notNull())
    .addColumn('tracker_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('external_url', 'text')
    .addColumn('external_status', 'text', (c) => c.notNull())
    .addColumn('transferred_by', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  // "All transferred tickets", newest first; and the inbound status webhook's lookup.
  await db.schema.createIndex('ticket_transfers_list').on('ticket_transfers').columns(['created_at', 'ticket_id']).execute();
  await db.schema.createIndex('ticket_transfers_external').on('ticket_transfers').columns(['tracker_id', 'external_id']).unique().execute();

  await db.schema
    .createTable('csat_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('scale', 'text', (c) => c.notNull())
    .addColumn('change_days', 'integer', (c) => c.notNull())
    .addColumn('link_days', 'integer', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    // The survey mail; null: the built-in one.
    .addColumn('template_subject', 'text')
    .addColumn('template_html', 'text')
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('csat_ratings')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_number', 'integer', (c) => c.notNull())
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('scale', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
}
