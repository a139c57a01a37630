import type { Kysely } from 'kysely';
import { DEFAULT_PREFERENCES, PREFERENCE_KINDS, type ChannelChoice, type PreferenceKind } from '../../../contracts/notification-preferences.js';
import type { AnyDb } from '../../platform/db/database.js';
import { toBool } from '../../platform/db/rows.js';

interface PreferenceTables {
  notification_preferences: { user_id: string; kind: string; in_app: number; email: number; updated_at: string };
}
const q = (db: AnyDb) => db as Kysely<PreferenceTables>;

export type Preferences = Record<PreferenceKind, ChannelChoice>;

/** Each user's choices over the defaults, for many users in one query. */
export async function preferencesOf(db: AnyDb, userIds: readonly string[]): Promise<Map<string, Preferences>> {
  const out = new Map<string, Preferences>();
  const unique = [...new Set(userIds)];
  for (const id of unique) out.set(id, structuredClone(DEFAULT_PREFERENCES));
  if (unique.length === 0) return out;
  const rows = await q(db).selectFrom('notification_preferences').selectAll().where('user_id', 'in', unique).execute();
  for (const r of rows) {
    if (!(PREFERENCE_KINDS as readonly string[]).includes(r.kind)) continue;
    out.get(r.user_id)![r.kind as PreferenceKind] = { inApp: toBool(r.in_app), email: toBool(r.email) };
  }
  return out;
}

export async function savePreference(db: AnyDb, userId: string, kind: PreferenceKind, choice: ChannelChoice, at: string): Promise<void> {
  await q(db)
    .insertInto('notification_preferences')
    .values({ user_id: userId, kind, in_app: choice.inApp ? 1 : 0, email: choice.email ? 1 : 0, updated_at: at })
    .onConflict((oc) => oc.columns(['user_id', 'kind']).doUpdateSet({ in_app: choice.inApp ? 1 : 0, email: choice.email ? 1 : 0, updated_at: at }))
    .execute();
}
