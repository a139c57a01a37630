import type { Kysely } from 'kysely';
import type { PolicyTargets } from '../../../contracts/sla.js';
import type { AnyDb } from '../../platform/db/database.js';
import { toBool, toIso, toJson } from '../../platform/db/rows.js';
import type { BusinessWindow } from '../../platform/business-time/business-time.js';
import type { SlaTables } from './sla.tables.js';

const q = (db: AnyDb) => db as Kysely<SlaTables>;

export interface Calendar {
  id: string;
  name: string;
  timeZone: string;
  /** Index 0 = Sunday, as the business-time functions read it. */
  weeklyHours: BusinessWindow[][];
  holidays: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Policy {
  id: string;
  name: string;
  position: number;
  condition: string;
  targets: PolicyTargets;
  businessTime: boolean;
  calendarId: string | null;
  warningPercent: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

const toCalendar = (r: SlaTables['business_calendars']): Calendar => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  weeklyHours: toJson<BusinessWindow[][]>(r.weekly_hours, []),
  holidays: toJson<string[]>(r.holidays, []),
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

const toPolicy = (r: SlaTables['sla_policies']): Policy => ({
  id: r.id,
  name: r.name,
  position: Number(r.position),
  condition: r.condition,
  targets: toJson<PolicyTargets>(r.targets, { low: empty(), medium: empty(), high: empty(), urgent: empty() }),
  businessTime: toBool(r.business_time),
  calendarId: r.calendar_id,
  warningPercent: Number(r.warning_percent),
  active: toBool(r.active),
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});
const empty = () => ({ firstResponse: null, nextResponse: null, resolution: null });

export async function listCalendarRows(db: AnyDb): Promise<Calendar[]> {
  return (await q(db).selectFrom('business_calendars').selectAll().orderBy('name').orderBy('id').execute()).map(toCalendar);
}

export async function findCalendarRow(db: AnyDb, id: string): Promise<Calendar | undefined> {
  const r = await q(db).selectFrom('business_calendars').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toCalendar(r) : undefined;
}

export async function saveCalendarRow(db: AnyDb, c: Calendar, isNew: boolean): Promise<void> {
  const row = { name: c.name, time_zone: c.timeZone, weekly_hours: JSON.stringify(c.weeklyHours), holidays: JSON.stringify(c.holidays), updated_at: c.updatedAt };
  if (isNew) await q(db).insertInto('business_calendars').values({ id: c.id, created_at: c.createdAt, ...row }).execute();
  else await q(db).updateTable('business_calendars').set(row).where('id', '=', c.id).execute();
}

export async function deleteCalendarRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('business_calendars').where('id', '=', id).execute();
}

export async function policiesUsingCalendar(db: AnyDb, calendarId: string): Promise<string[]> {
  return (await q(db).selectFrom('sla_policies').select('id').where('calendar_id', '=', calendarId).execute()).map((r) => r.id);
}

/** In evaluation order: position, then creation (ids are time-ordered). */
export async function listPolicyRows(db: AnyDb): Promise<Policy[]> {
  return (await q(db).selectFrom('sla_policies').selectAll().orderBy('position').orderBy('id').execute()).map(toPolicy);
}

export async function findPolicyRow(db: AnyDb, id: string): Promise<Policy | undefined> {
  const r = await q(db).selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toPolicy(r) : undefined;
}

export async function savePolicyRow(db: AnyDb, p: Policy, isNew: boolean): Promise<void> {
  const row = {
    name: p.name,
    position: p.position,
    condition: p.condition,
    targets: JSON.stringify(p.targets),
    business_time: p.businessTime ? 1 : 0,
    calendar_id: p.calendarId,
    warning_percent: p.warningPercent,
    active: p.active ? 1 : 0,
    updated_at: p.updatedAt,
  };
  if (isNew) await q(db).insertInto('sla_policies').values({ id: p.id, created_at: p.createdAt, ...row }).execute();
  else await q(db).updateTable('sla_policies').set(row).where('id', '=', p.id).execute();
}

export async function deletePolicyRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('sla_policies').where('id', '=', id).execute();
}
