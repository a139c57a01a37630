import type { Ctx } from '../../../platform/context.js';
import { recordAudit } from '../../../platform/audit/audit.repository.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { requireAdmin } from '../../auth/index.js';
import { readChannelSettings, writeChannelSettings } from '../channel-settings.repository.js';

/** The shared secret phone systems sign CTI events with; null until an admin sets one. */
export async function ctiSecret(ctx: Ctx): Promise<string | null> {
  const raw = await readChannelSettings(ctx.db, 'phone');
  return typeof raw.ctiSecret === 'string' && raw.ctiSecret ? raw.ctiSecret : null;
}

export async function getPhoneSettings(ctx: Ctx): Promise<{ ctiSecretSet: boolean }> {
  requireAdmin(ctx.actor);
  return { ctiSecretSet: (await ctiSecret(ctx)) !== null };
}

export async function updatePhoneSettings(ctx: Ctx, input: { ctiSecret: string | null }): Promise<{ ctiSecretSet: boolean }> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    await writeChannelSettings(tx.db, 'phone', { ctiSecret: input.ctiSecret }, tx.now.toISOString());
    await recordAudit(tx, 'settings.updated', { type: 'settings', id: 'phone' }, { changed: ['ctiSecret'] });
    return { ctiSecretSet: input.ctiSecret !== null };
  });
}
