import type { z } from 'zod';
import { settingsSchema, type Settings, type updateSettingsRequest } from '../../../contracts/settings.js';
import type { Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { requireAdmin, requireStaff } from './auth.policy.js';
import { readSettingsRow, writeSettingsRow } from './settings.repository.js';

export async function getSettings(ctx: Ctx): Promise<Settings> {
  requireStaff(ctx.actor);
  // Stored values are re-validated so a setting added later gets its default.
  const parsed = settingsSchema.safeParse(await readSettingsRow(ctx.db));
  return parsed.success ? parsed.data : settingsSchema.parse({});
}

export async function updateSettings(ctx: Ctx, input: z.output<typeof updateSettingsRequest>): Promise<Settings> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await getSettings(tx);
    const next = settingsSchema.parse({ ...before, ...input });
    await writeSettingsRow(tx.db, next, tx.now.toISOString());
    const changed = Object.keys(input).filter((k) => JSON.stringify(before[k as keyof Settings]) !== JSON.stringify(next[k as keyof Settings]));
    await recordAudit(tx, 'settings.updated', { type: 'settings', id: 'installation' }, { changed, before: Object.fromEntries(changed.map((k) => [k, before[k as keyof Settings]])), after: Object.fromEntries(changed.map((k) => [k, next[k as keyof Settings]])) });
    return next;
  });
}
