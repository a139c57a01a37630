import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');
  const json = sql.raw(dialect === 'postgres' ? 'jsonb' : 'text');

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'bigint', (c) => c.notNull().unique())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('group_id', 'text')
    .addColumn('spam', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('merged_into_id', 'text')
    .addColumn('split_from_id', 'text')
    .addColumn('follow_up_of_id', 'text')
    .addColumn('custom_fields', json, (c) => c.notNull())
    .addColumn('first_response_at', ts)
    .addColumn('resolved_at', ts)
    .addColumn('closed_at', ts)
    .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  // One index per predefined view: each serves its filter and the (updated_at, id) keyset sort.
  const idx = async (name: string, cols: string[]) =>
    db.schema.createIndex(name).on('tickets').columns(cols).execute();
  await idx('tickets_updated', ['updated_at', 'id']);
  await idx('tickets_status_updated', ['status', 'updated_at', 'id']);
  await idx('tickets_assignee_status_updated', ['assignee_id', 'status', 'updated_at', 'id']);
  await idx('tickets_group_status_updated', ['group_id', 'status', 'updated_at', 'id']);
  await idx('tickets_spam_updated', ['spam', 'updated_at', 'id']);
  await idx('tickets_requester_created', ['requester_id', 'created_at']);
  await idx('tickets_org_created', ['organization_id', 'created_at']);
  await idx('tickets_created', ['created_at', 'id']);
  await idx('tickets_priority_updated', ['priority', 'updated_at', 'id']);

  await db.schema
    .createTable('ticket_tags')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_tags_pk', ['ticket_id', 'tag'])
    .execute();
  await db.schema.createIndex('ticket_tags_tag').on('ticket_tags').columns(['tag', 'ticket_id']).execute();

  await db.schema
    .createTable('ticket_stars')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_stars_pk', ['user_id', 'ticket_id'])
    .execute();
  await db.schema.createIndex('ticket_stars_ticket').on('ticket_stars').column('ticket_id').execute();

  await db.schema
    .createTable('ticket_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_value', json)
    .addColumn('to_value', json)
    .addColumn('data', json, (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_events_ticket').on('ticket_events').columns(['ticket_id', 'at', 'id']).execute();
  await db.schema.createIndex('ticket_events_action').on('ticket_events').columns(['action', 'at']).execute();

  await db.schema
    .createTable('custom_fields')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('options', json, (c) => c.notNull())
    .addColumn('required_for_types', json, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('columns', json, (c) => c.notNull())
    .addColumn('sort', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('views_owner').on('views').columns(['owner_id', 'position']).execute();
}
