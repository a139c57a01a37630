import type { z } from 'zod';
import {
  CUSTOMER_NOTIFICATION_KEYS,
  CUSTOMER_TEMPLATE_KEYS,
  type CustomerNotificationKey,
  type CustomerTemplateKey,
  type customerNotificationSettingsResponse,
  type customerTemplateResponse,
  type updateCustomerNotificationSettingsRequest,
  type updateCustomerTemplateRequest,
} from '../../../contracts/customer-notifications.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { invalidField } from '../../platform/errors.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import { findMailboxById, listMailboxRows } from '../channels/index.js';
import { deleteTemplate, findStoredTemplates, listRestrictedWords, listSwitches, replaceRestrictedWords, saveTemplate, setSwitch } from './customer-notifications.repository.js';
import { checkTemplate } from './customer-render.js';
import { normaliseWordList } from './customer-restricted-words.js';
import { DEFAULT_TEMPLATES, templateVariables } from './customer-templates.js';

type TemplateResponse = z.infer<typeof customerTemplateResponse>;
type Switches = Record<CustomerNotificationKey, boolean>;

export async function listCustomerTemplates(ctx: Ctx): Promise<TemplateResponse[]> {
  requireAdmin(ctx.actor);
  const stored = await findStoredTemplates(ctx.db, CUSTOMER_TEMPLATE_KEYS);
  return CUSTOMER_TEMPLATE_KEYS.map((key) => {
    const s = stored.get(key);
    const t = s ?? DEFAULT_TEMPLATES[key];
    return { key, subject: t.subject, html: t.html, text: t.text, customized: Boolean(s), updatedAt: s?.updatedAt ?? null, variables: templateVariables(key) };
  });
}

export async function getCustomerTemplate(ctx: Ctx, key: CustomerTemplateKey): Promise<TemplateResponse> {
  return (await listCustomerTemplates(ctx)).find((t) => t.key === key)!;
}

/** Saves an admin's template after parsing it (a broken one is refused with the field named). */
export async function updateCustomerTemplate(ctx: Ctx, key: CustomerTemplateKey, input: z.output<typeof updateCustomerTemplateRequest>): Promise<TemplateResponse> {
  requireAdmin(ctx.actor);
  if (key !== 'layout' && !input.subject.trim()) throw invalidField('subject', 'is required for this template');
  if (key === 'layout' && !input.html.includes('content')) throw invalidField('html', 'the layout must place {{ content | raw }}');
  checkTemplate(input);
  await inTransaction(ctx, async (tx) => {
    await saveTemplate(tx.db, key, { subject: key === 'layout' ? '' : input.subject, html: input.html, text: input.text }, ctx.actor.type === 'user' ? ctx.actor.id : null, tx.now.toISOString());
    await recordAudit(tx, 'customer_template.updated', { type: 'customer_template', id: key }, {});
  });
  return getCustomerTemplate(ctx, key);
}

export async function resetCustomerTemplate(ctx: Ctx, key: CustomerTemplateKey): Promise<TemplateResponse> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    if (await deleteTemplate(tx.db, key)) await recordAudit(tx, 'customer_template.reset', { type: 'customer_template', id: key }, {});
  });
  return getCustomerTemplate(ctx, key);
}

export async function getCustomerNotificationSettings(ctx: Ctx): Promise<z.infer<typeof customerNotificationSettingsResponse>> {
  requireAdmin(ctx.actor);
  const rows = await listSwitches(ctx.db);
  const global = Object.fromEntries(CUSTOMER_NOTIFICATION_KEYS.map((k) => [k, rows.find((r) => r.scope === 'global' && r.key === k)?.enabled ?? true])) as Switches;
  const mailboxes = (await listMailboxRows(ctx.db)).map((m) => {
    const overrides = Object.fromEntries(rows.filter((r) => r.scope === m.id).map((r) => [r.key, r.enabled])) as Partial<Switches>;
    return { mailboxId: m.id, overrides, effective: { ...global, ...overrides } };
  });
  return { global, mailboxes };
}

/** Switches customer mail on or off, globally or for one mailbox (null drops a mailbox's override). */
export async function updateCustomerNotificationSettings(ctx: Ctx, input: z.output<typeof updateCustomerNotificationSettingsRequest>) {
  requireAdmin(ctx.actor);
  const scope = input.mailboxId ?? 'global';
  if (input.mailboxId && !(await findMailboxById(ctx.db, input.mailboxId))) throw invalidField('mailboxId', 'unknown mailbox');
  const changes = Object.entries(input.enabled).filter(([, v]) => v !== undefined) as [CustomerNotificationKey, boolean | null][];
  for (const [k, v] of changes) if (v === null && scope === 'global') throw invalidField(`enabled.${k}`, 'global switches are true or false');
  await inTransaction(ctx, async (tx) => {
    for (const [k, v] of changes) await setSwitch(tx.db, scope, k, v, tx.now.toISOString());
    await recordAudit(tx, 'customer_notifications.updated', { type: 'customer_notifications', id: scope }, { changes: Object.fromEntries(changes) });
  });
  return getCustomerNotificationSettings(ctx);
}

export async function getRestrictedWords(ctx: Ctx): Promise<string[]> {
  requireStaff(ctx.actor);
  return listRestrictedWords(ctx.db);
}

export async function setRestrictedWords(ctx: Ctx, words: readonly string[]): Promise<string[]> {
  requireAdmin(ctx.actor);
  const list = normaliseWordList(words);
  await inTransaction(ctx, async (tx) => {
    const before = await listRestrictedWords(tx.db);
    await replaceRestrictedWords(tx.db, list, tx.now.toISOString());
    await recordAudit(tx, 'restricted_words.updated', { type: 'restricted_words', id: 'installation' }, { before: before.length, after: list.length });
  });
  return listRestrictedWords(ctx.db);
}
