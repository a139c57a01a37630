import type { Kysely } from 'kysely';
import { digestSettings, type DigestSettings } from '../../../contracts/reports.js';
import type { AnyDb } from '../../platform/db/database.js';
import type { ReportTables } from './reports.tables.js';

const q = (db: AnyDb) => db as Kysely<ReportTables>;
const KEY = 'digest';

export async function readDigestSettings(db: AnyDb): Promise<DigestSettings> {
  const row = await q(db).selectFrom('report_settings').select('value').where('key', '=', KEY).executeTakeFirst();
  let raw: unknown = {};
  try {
    raw = row ? JSON.parse(row.value) : {};
  } catch {
    raw = {};
  }
  // Re-validated, so a setting added later gets its default.
  const parsed = digestSettings.safeParse(raw);
  return parsed.success ? parsed.data : digestSettings.parse({});
}

export async function writeDigestSettings(db: AnyDb, s: DigestSettings, at: string): Promise<void> {
  const value = JSON.stringify(s);
  await q(db)
    .insertInto('report_settings')
    .values({ key: KEY, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
    .execute();
}
