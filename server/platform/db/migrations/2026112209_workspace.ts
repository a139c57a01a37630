import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/** Agent workspace: realtime fan-out, notifications, notices, canned responses, time entries, dashboard indexes. */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

  // Realtime messages too big for NOTIFY, fetched by id by the other processes.
  await db.schema
    .createTable('realtime_payloads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('ticket_number', 'bigint', (c) => c.notNull())
    .addColumn('ticket_subject', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull())
    // One notification per cause and recipient, so a retried job never notifies twice.
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('read_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_dedupe').on('notifications').columns(['user_id', 'dedupe_key']).unique().execute();
  // The bell: unread first, newest first (keyset on read, id), and the unread count.
  await db.schema.createIndex('notifications_user_read').on('notifications').columns(['user_id', 'read', 'id']).execute();

  await db.schema
    .createTable('notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', ts)
    .addColumn('author_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // NULL: shared by an admin with every agent; else the one agent who may see it.
    .addColumn('owner_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('canned_responses_owner').on('canned_responses').columns(['owner_id', 'title']).execute();

  await db.schema
    .createTable('time_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    // The day the work was done, as the agent saw it: a calendar date, not an instant.
    .addColumn('work_date', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('time_entries_ticket').on('time_entries').columns(['ticket_id', 'work_date', 'id']).execute();
  await db.schema.createIndex('time_entries_user').on('time_entries').columns(['user_id', 'work_date']).execute();

  // Mini dashboard: each count is one range scan of a covering index (see dashboard.repository.ts).
  // Not partial indexes: a query repeating `spam = 0` lets SQLite's planner pick the spam index instead.
  const idx = async (name: string, cols: string[]) => db.schema.createIndex(name).on('tickets').columns(cols).execute();
  await idx('tickets_dash_created', ['created_at', 'spam', 'assignee_id']);
  await idx('tickets_dash_resolved', ['resolved_at', 'created_at', 'spam', 'merged_into_id', 'assignee_id']);
  await idx('tickets_dash_active', ['status', 'spam', 'assignee_id', 'group_id']);
}
