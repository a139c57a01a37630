import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toBool, toJson } from '../../platform/db/rows.js';
import type { TicketTables } from './tickets.tables.js';

const q = (db: AnyDb) => db as Kysely<TicketTables>;

export type CustomFieldType = 'text' | 'number' | 'dropdown' | 'multi_select' | 'checkbox' | 'date';

export interface CustomField {
  id: string;
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[];
  requiredForTypes: string[];
  position: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

const toField = (r: TicketTables['custom_fields']): CustomField => ({
  id: r.id,
  key: r.key,
  label: r.label,
  type: r.type as CustomFieldType,
  options: toJson<string[]>(r.options, []),
  requiredForTypes: toJson<string[]>(r.required_for_types, []),
  position: Number(r.position),
  active: toBool(r.active),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

export async function listCustomFieldRows(db: AnyDb): Promise<CustomField[]> {
  return (await q(db).selectFrom('custom_fields').selectAll().orderBy('position').orderBy('key').execute()).map(toField);
}

export async function insertCustomField(db: AnyDb, f: CustomField): Promise<void> {
  await q(db)
    .insertInto('custom_fields')
    .values({
      id: f.id,
      key: f.key,
      label: f.label,
      type: f.type,
      options: jsonParam(f.options),
      required_for_types: jsonParam(f.requiredForTypes),
      position: f.position,
      active: f.active ? 1 : 0,
      created_at: f.createdAt,
      updated_at: f.updatedAt,
    })
    .execute();
}

export async function updateCustomFieldRow(db: AnyDb, f: CustomField): Promise<void> {
  await q(db)
    .updateTable('custom_fields')
    .set({ label: f.label, options: jsonParam(f.options), required_for_types: jsonParam(f.requiredForTypes), position: f.position, active: f.active ? 1 : 0, updated_at: f.updatedAt })
    .where('id', '=', f.id)
    .execute();
}
