import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * SLA clocks: business-hours calendars, ordered policies, each ticket's applied policy and its
 * targets, the next-due state on tickets for the list and the overdue view, and per-agent
 * notification preferences.
 */
export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  const ts = sql.raw(dialect === 'postgres' ? 'timestamptz' : 'text');

  await db.schema
    .createTable('business_calendars')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('weekly_hours', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sla_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('business_time', 'integer', (c) => c.notNull())
    .addColumn('calendar_id', 'text', (c) => c.references('business_calendars.id'))
    .addColumn('warning_percent', 'integer', (c) => c.notNull().defaultTo(75))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sla_policies_position').on('sla_policies').columns(['position', 'id']).execute();

  // A new install has standard hours and a catch-all policy (calendar time) with the documented default targets.
  const seededAt = '2026-11-22T00:00:00.000Z';
  const nineToFive = [{ start: '09:00', end: '17:00' }];
  await db
    .insertInto('business_calendars')
    .values({ id: '00000000-0000-7000-8000-00000000ca1e', name: 'Standard hours', time_zone: 'UTC', weekly_hours: JSON.stringify([[], nineToFive, nineToFive, nineToFive, nineToFive, nineToFive, []]), holidays: '[]', created_at: seededAt, updated_at: seededAt })
    .execute();
  const t = (firstResponse: number, resolution: number | null) => ({ firstResponse, nextResponse: firstResponse, resolution });
  await db
    .insertInto('sla_policies')
    .values({
      id: '00000000-0000-7000-8000-0000000051a0',
      name: 'Default',
      position: 1000,
      condition: '',
      targets: JSON.stringify({ urgent: t(60, 240), high: t(240, null), medium: t(1440, null), low: t(2880, null) }),
      business_time: 0,
      calendar_id: null,
      warning_percent: 75,
      active: 1,
      created_at: seededAt,
      updated_at: seededAt,
    })
    .execute();

  await db.schema
    .createTable('ticket_sla')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    // 'match': chosen by the policies' conditions (re-chosen when the ticket changes); 'rule': applied by a rule and kept.
    .addColumn('applied_by', 'text', (c) => c.notNull())
    // Set while the ticket waits on the customer; the clocks stand still.
    .addColumn('paused_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_sla_policy').on('ticket_sla').columns(['policy_id', 'ticket_id']).execute();

  await db.schema
    .createTable('ticket_sla_targets')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('start_at', ts, (c) => c.notNull())
    // Open time spent paused since start_at; the due time is start + minutes + paused.
    .addColumn('paused_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', ts, (c) => c.notNull())
    .addColumn('warn_at', ts, (c) => c.notNull())
    .addColumn('met_at', ts)
    .addColumn('warned_at', ts)
    .addColumn('breached_at', ts)
    // When the sweep must look at this target next (warning, then breach); NULL when nothing is left to do.
    .addColumn('next_check_at', ts)
    .addPrimaryKeyConstraint('ticket_sla_targets_pk', ['ticket_id', 'target'])
    .execute();
  await sql`CREATE INDEX ticket_sla_targets_sweep ON ticket_sla_targets (next_check_at, ticket_id, target) WHERE next_check_at IS NOT NULL`.execute(db);

  await db.schema.alterTable('tickets').addColumn('sla_target', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('sla_due_at', ts).execute();
  await db.schema.alterTable('tickets').addColumn('sla_breached', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('tickets').addColumn('sla_paused', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // The overdue view and `due<2h`: a range on the next unmet due time of running clocks.
  await sql`CREATE INDEX tickets_sla_due ON tickets (sla_due_at, id) WHERE sla_due_at IS NOT NULL AND spam = 0 AND merged_into_id IS NULL`.execute(db);
  await sql`CREATE INDEX tickets_sla_breached ON tickets (sla_breached, updated_at, id) WHERE sla_breached = 1 AND spam = 0 AND merged_into_id IS NULL`.execute(db);

  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('in_app', 'integer', (c) => c.notNull())
    .addColumn('email', 'integer', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_preferences_pk', ['user_id', 'kind'])
    .execute();
}
