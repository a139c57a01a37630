import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Email channel: mailboxes (with IMAP settings and sync state for the poller), raw inbound mail
 * stored durably before it is acknowledged, the Message-ID map used for threading (inbound now,
 * outbound later), mail participants per ticket, per-ticket mail thread state, and delivery
 * reports (bounces) keyed by the Message-ID they refer to.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
  const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');
  const bytes = sql.raw(dialect === 'postgres' ? 'bytea' : 'blob');

  await db.schema
    .createTable('mailboxes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('address', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('brand', json, (c) => c.notNull())
    .addColumn('default_group_id', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('imap_host', 'text')
    .addColumn('imap_port', 'integer')
    .addColumn('imap_tls', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('imap_user', 'text')
    .addColumn('imap_password', 'text')
    .addColumn('imap_folder', 'text', (c) => c.notNull().defaultTo('INBOX'))
    .addColumn('imap_keep_on_server', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('imap_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    // Sync state owned by the IMAP poller: cursor (UIDVALIDITY/UID) and health.
    .addColumn('imap_uid_validity', 'bigint')
    .addColumn('imap_last_uid', 'bigint')
    .addColumn('imap_state', 'text', (c) => c.notNull().defaultTo('idle'))
    .addColumn('imap_last_poll_at', ts)
    .addColumn('imap_last_success_at', ts)
    .addColumn('imap_last_error', 'text')
    .addColumn('imap_last_error_at', ts)
    .addColumn('imap_consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbound_mail')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('mailbox_id', 'text')
    .addColumn('envelope', json, (c) => c.notNull())
    .addColumn('raw', bytes, (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('deliveries', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('from_address', 'text')
    .addColumn('subject', 'text')
    // Loop/auto-reply classification (RFC 3834) for the outbound side to honour.
    .addColumn('kind', 'text')
    .addColumn('suppress_auto_reply', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('loop_signals', json, (c) => c.notNull())
    .addColumn('thread_match', 'text')
    .addColumn('ticket_id', 'text')
    .addColumn('ticket_message_id', 'text')
    .addColumn('trimmed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_at', ts, (c) => c.notNull())
    .addColumn('processed_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbound_mail_status').on('inbound_mail').columns(['status', 'received_at', 'id']).execute();
  await db.schema.createIndex('inbound_mail_received').on('inbound_mail').columns(['received_at', 'id']).execute();
  await db.schema.createIndex('inbound_mail_ticket_message').on('inbound_mail').column('ticket_message_id').execute();
  await db.schema.createIndex('inbound_mail_mailbox').on('inbound_mail').columns(['mailbox_id', 'received_at']).execute();

  // Every Message-ID header we know (inbound and, later, outbound) -> the ticket and message.
  await db.schema
    .createTable('mail_message_ids')
    .addColumn('header_id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mail_message_ids_ticket').on('mail_message_ids').columns(['ticket_id', 'created_at']).execute();

  await db.schema
    .createTable('mail_participants')
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('first_seen_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('mail_participants_pk', ['ticket_id', 'email'])
    .execute();
  await db.schema.createIndex('mail_participants_email').on('mail_participants').columns(['email', 'ticket_id']).execute();

  // The mailbox a ticket's mail conversation runs through, and its latest inbound Message-ID.
  await db.schema
    .createTable('mail_threads')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey())
    .addColumn('mailbox_id', 'text')
    .addColumn('last_inbound_header_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mail_delivery_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('inbound_id', 'text', (c) => c.notNull())
    .addColumn('original_header_id', 'text')
    .addColumn('ticket_id', 'text')
    .addColumn('recipient', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('diagnostic', 'text')
    .addColumn('handled_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mail_delivery_reports_original').on('mail_delivery_reports').column('original_header_id').execute();
  await db.schema.createIndex('mail_delivery_reports_inbound').on('mail_delivery_reports').column('inbound_id').execute();
}
