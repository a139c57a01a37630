import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Phone, SMS and the customer portal: logged calls, callback reservations, the SMS message map
 * (provider ids for idempotent webhooks and the number a ticket talks to), per-channel settings
 * (secrets), and the portal's sign-in links and customer sessions (hashes only, never tokens).
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
  const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

  await db.schema
    .createTable('channel_settings')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('value', json, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('phone_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('recording_url', 'text')
    // A phone system's call id: the same CTI event delivered twice makes one call.
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phone_calls_ticket').on('phone_calls').columns(['ticket_id', 'started_at']).execute();

  await db.schema
    .createTable('phone_callbacks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('due_at', ts, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('notified_at', ts)
    .addColumn('created_by', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  // The due sweep (status, due_at) and an agent's list (user_id, due_at).
  await db.schema.createIndex('phone_callbacks_due').on('phone_callbacks').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('phone_callbacks_user').on('phone_callbacks').columns(['user_id', 'due_at']).execute();

  await db.schema
    .createTable('sms_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('adapter', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('customer_number', 'text', (c) => c.notNull())
    .addColumn('our_number', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('sms_messages_external', ['adapter', 'external_id'])
    .execute();
  // Threading: the latest conversation of a number; a ticket's number for replies.
  await db.schema.createIndex('sms_messages_customer').on('sms_messages').columns(['adapter', 'customer_number', 'created_at']).execute();
  await db.schema.createIndex('sms_messages_ticket').on('sms_messages').columns(['ticket_id', 'created_at']).execute();
  await db.schema.createIndex('sms_messages_message').on('sms_messages').column('message_id').execute();

  await db.schema
    .createTable('portal_sign_in_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // Filled when the link is used: a contact is made only for an address that proved it reads its mail.
    .addColumn('contact_id', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('mailbox_id', 'text')
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  // The per-address rate limit counts recent links.
  await db.schema.createIndex('portal_sign_in_links_email').on('portal_sign_in_links').columns(['email', 'created_at']).execute();

  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('mailbox_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_sessions_contact').on('portal_sessions').column('contact_id').execute();
}
