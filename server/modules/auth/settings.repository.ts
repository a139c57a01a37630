import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { jsonParam, toJson } from '../../platform/db/rows.js';

interface SettingsTable {
  settings: { key: string; value: unknown; updated_at: string };
}
const q = (db: AnyDb) => db as Kysely<SettingsTable>;
const KEY = 'installation';

export async function readSettingsRow(db: AnyDb): Promise<Record<string, unknown>> {
  const r = await q(db).selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
  return toJson<Record<string, unknown>>(r?.value, {});
}

export async function writeSettingsRow(db: AnyDb, value: Record<string, unknown>, at: string): Promise<void> {
  await q(db)
    .insertInto('settings')
    .values({ key: KEY, value: jsonParam(value), updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: jsonParam(value), updated_at: at }))
    .execute();
}
