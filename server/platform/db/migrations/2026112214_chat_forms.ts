import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Live chat and the contact form: chat sessions with their visitor token (hashed) and visitor
 * info, every chat line kept on the server so a reconnecting widget resumes from its last seen
 * sequence number, which agents have the chat console open (availability), and the settings of
 * both channels (pre-chat fields, unanswered timeout, form fields per ticket type).
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

  await db.schema
    .createTable('chat_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('mailbox_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('visitor_name', 'text')
    .addColumn('visitor_email', 'text')
    .addColumn('visitor_info', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('ticket_id', 'text')
    .addColumn('ticket_number', 'integer')
    .addColumn('end_reason', 'text')
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('accepted_at', ts)
    .addColumn('ended_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  // The console's waiting/active lists and the unanswered-chat sweep.
  await db.schema.createIndex('chat_sessions_status').on('chat_sessions').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('author_type', 'text', (c) => c.notNull())
    .addColumn('author_user_id', 'text')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attachment_id', 'text')
    .addColumn('attachment_name', 'text')
    .addColumn('attachment_type', 'text')
    .addColumn('attachment_size', 'integer')
    .addColumn('attachment_sha256', 'text')
    .addColumn('client_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chat_messages_session_seq').on('chat_messages').columns(['session_id', 'seq']).unique().execute();

  await db.schema
    .createTable('chat_agent_presence')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('chat_form_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
}
