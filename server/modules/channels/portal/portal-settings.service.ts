import type { z } from 'zod';
import type { updatePortalSettingsRequest } from '../../../../contracts/portal.js';
import type { Ctx } from '../../../platform/context.js';
import { recordAudit } from '../../../platform/audit/audit.repository.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { requireAdmin } from '../../auth/index.js';
import { readChannelSettings, writeChannelSettings } from '../channel-settings.repository.js';

export interface PortalSettings {
  /** Customers of an organization see each other's tickets. */
  allowOrganization: boolean;
  linkMinutes: number;
  sessionHours: number;
}

const DEFAULTS: PortalSettings = { allowOrganization: false, linkMinutes: 15, sessionHours: 24 * 7 };

/** Read without a policy check: the portal itself needs these before anyone is signed in. */
export async function portalSettings(ctx: Ctx): Promise<PortalSettings> {
  const raw = await readChannelSettings(ctx.db, 'portal');
  return {
    allowOrganization: typeof raw.allowOrganization === 'boolean' ? raw.allowOrganization : DEFAULTS.allowOrganization,
    linkMinutes: typeof raw.linkMinutes === 'number' ? raw.linkMinutes : DEFAULTS.linkMinutes,
    sessionHours: typeof raw.sessionHours === 'number' ? raw.sessionHours : DEFAULTS.sessionHours,
  };
}

export async function getPortalSettings(ctx: Ctx): Promise<PortalSettings> {
  requireAdmin(ctx.actor);
  return portalSettings(ctx);
}

export async function updatePortalSettings(ctx: Ctx, input: z.output<typeof updatePortalSettingsRequest>): Promise<PortalSettings> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await portalSettings(tx);
    const next: PortalSettings = {
      allowOrganization: input.allowOrganization ?? before.allowOrganization,
      linkMinutes: input.linkMinutes ?? before.linkMinutes,
      sessionHours: input.sessionHours ?? before.sessionHours,
    };
    await writeChannelSettings(tx.db, 'portal', { ...next }, tx.now.toISOString());
    await recordAudit(tx, 'settings.updated', { type: 'settings', id: 'portal' }, { before, after: next });
    return next;
  });
}
