import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/dialect/types.js';
import { jsonParam, toJson } from '../../platform/db/rows.js';

/** Per-channel settings of phone, SMS and the portal (secrets included), one JSON row each. */
interface ChannelSettingsTables {
  channel_settings: { channel: string; value: unknown; updated_at: string };
}
const q = (db: AnyDb) => db as unknown as Kysely<ChannelSettingsTables>;

export type SettingsChannel = 'phone' | 'sms' | 'portal';

export async function readChannelSettings(db: AnyDb, channel: SettingsChannel): Promise<Record<string, unknown>> {
  const r = await q(db).selectFrom('channel_settings').select('value').where('channel', '=', channel).executeTakeFirst();
  return toJson<Record<string, unknown>>(r?.value, {});
}

export async function writeChannelSettings(db: AnyDb, channel: SettingsChannel, value: Record<string, unknown>, at: string): Promise<void> {
  await q(db)
    .insertInto('channel_settings')
    .values({ channel, value: jsonParam(value), updated_at: at })
    .onConflict((oc) => oc.column('channel').doUpdateSet({ value: jsonParam(value), updated_at: at }))
    .execute();
}
