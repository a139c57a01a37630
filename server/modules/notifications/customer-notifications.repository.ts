import type { Kysely } from 'kysely';
import type { CustomerNotificationKey, CustomerTemplateKey } from '../../../contracts/customer-notifications.js';
import type { AnyDb } from '../../platform/db/database.js';
import { boolValue } from '../../platform/db/dialect/sql.js';
import { toBool, toIso } from '../../platform/db/rows.js';
import type { TemplateText } from './customer-templates.js';

interface CustomerTables {
  customer_mail_templates: { key: string; subject: string; html: string; text: string; updated_by: string | null; updated_at: string };
  customer_notification_settings: { scope: string; key: string; enabled: number; updated_at: string };
  restricted_words: { word: string; created_at: string };
}
const q = (db: AnyDb) => db as Kysely<CustomerTables>;

export interface StoredTemplate extends TemplateText {
  key: CustomerTemplateKey;
  updatedAt: string;
}

export async function findStoredTemplates(db: AnyDb, keys: readonly CustomerTemplateKey[]): Promise<Map<CustomerTemplateKey, StoredTemplate>> {
  if (keys.length === 0) return new Map();
  const rows = await q(db).selectFrom('customer_mail_templates').selectAll().where('key', 'in', [...keys]).execute();
  return new Map(rows.map((r) => [r.key as CustomerTemplateKey, { key: r.key as CustomerTemplateKey, subject: r.subject, html: r.html, text: r.text, updatedAt: toIso(r.updated_at) }]));
}

export async function saveTemplate(db: AnyDb, key: CustomerTemplateKey, t: TemplateText, by: string | null, at: string): Promise<void> {
  await q(db)
    .insertInto('customer_mail_templates')
    .values({ key, subject: t.subject, html: t.html, text: t.text, updated_by: by, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ subject: t.subject, html: t.html, text: t.text, updated_by: by, updated_at: at }))
    .execute();
}

export async function deleteTemplate(db: AnyDb, key: CustomerTemplateKey): Promise<boolean> {
  const r = await q(db).deleteFrom('customer_mail_templates').where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Switches by scope ('global' or a mailbox id) and occasion; absent means "not set here". */
export async function listSwitches(db: AnyDb, scopes?: readonly string[]): Promise<{ scope: string; key: CustomerNotificationKey; enabled: boolean }[]> {
  let sel = q(db).selectFrom('customer_notification_settings').selectAll();
  if (scopes) {
    if (scopes.length === 0) return [];
    sel = sel.where('scope', 'in', [...scopes]);
  }
  const rows = await sel.orderBy('scope').orderBy('key').execute();
  return rows.map((r) => ({ scope: r.scope, key: r.key as CustomerNotificationKey, enabled: toBool(r.enabled) }));
}

export async function setSwitch(db: AnyDb, scope: string, key: CustomerNotificationKey, enabled: boolean | null, at: string): Promise<void> {
  if (enabled === null) {
    await q(db).deleteFrom('customer_notification_settings').where('scope', '=', scope).where('key', '=', key).execute();
    return;
  }
  await q(db)
    .insertInto('customer_notification_settings')
    .values({ scope, key, enabled: boolValue(enabled), updated_at: at })
    .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet({ enabled: boolValue(enabled), updated_at: at }))
    .execute();
}

export async function listRestrictedWords(db: AnyDb): Promise<string[]> {
  return (await q(db).selectFrom('restricted_words').select('word').orderBy('word').execute()).map((r) => r.word);
}

/** Replaces the whole list (admins edit it as one list). */
export async function replaceRestrictedWords(db: AnyDb, words: readonly string[], at: string): Promise<void> {
  await q(db).deleteFrom('restricted_words').execute();
  if (words.length > 0) await q(db).insertInto('restricted_words').values(words.map((word) => ({ word, created_at: at }))).execute();
}
