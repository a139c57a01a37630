import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Email out: every outbound message with its raw bytes and delivery status (the local outbox is
 * the rows delivered without an SMTP relay), its recipients for per-ticket rate limits, the
 * customer notification templates, their on/off switches, the restricted-words list, and the
 * per-mailbox switch for IMAP TLS certificate verification.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
  const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');
  const bytes = sql.raw(dialect === 'postgres' ? 'bytea' : 'blob');

  await db.schema
    .createTable('mail_outbound')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('ticket_message_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    // One mail per cause (a reply, a ticket's acknowledgement, a status event): retried jobs never send twice.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('mailbox_id', 'text')
    .addColumn('header_id', 'text', (c) => c.notNull().unique())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('to_addresses', json, (c) => c.notNull())
    .addColumn('cc_addresses', json, (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('automatic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('raw', bytes, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('transport', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', ts)
    .addColumn('smtp_response', 'text')
    .addColumn('queued_at', ts, (c) => c.notNull())
    .addColumn('sent_at', ts)
    .addColumn('failed_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mail_outbound_ticket').on('mail_outbound').columns(['ticket_id', 'queued_at']).execute();
  // The local outbox: mail delivered without a relay, newest first.
  await db.schema.createIndex('mail_outbound_transport').on('mail_outbound').columns(['transport', 'queued_at', 'id']).execute();

  await db.schema
    .createTable('mail_outbound_recipients')
    .addColumn('outbound_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('automatic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('mail_outbound_recipients_pk', ['outbound_id', 'address'])
    .execute();
  // Rate limit of automatic mail: how many went to this address on this ticket lately.
  await db.schema.createIndex('mail_outbound_recipients_limit').on('mail_outbound_recipients').columns(['ticket_id', 'address', 'created_at']).execute();

  await db.schema
    .createTable('customer_mail_templates')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  // scope: 'global' or a mailbox id; a mailbox row overrides the global one.
  await db.schema
    .createTable('customer_notification_settings')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_notification_settings_pk', ['scope', 'key'])
    .execute();

  await db.schema
    .createTable('restricted_words')
    .addColumn('word', 'text', (c) => c.primaryKey())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema.alterTable('mailboxes').addColumn('imap_tls_verify', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}
