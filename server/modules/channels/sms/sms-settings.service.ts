import type { z } from 'zod';
import type { SmsSettingsResponse, updateSmsSettingsRequest } from '../../../../contracts/sms.js';
import type { Ctx } from '../../../platform/context.js';
import { recordAudit } from '../../../platform/audit/audit.repository.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { requireAdmin } from '../../auth/index.js';
import { readChannelSettings, writeChannelSettings } from '../channel-settings.repository.js';

export interface SmsSettings {
  enabled: boolean;
  accountSid: string;
  authToken: string;
  fromNumber: string;
  apiBaseUrl: string;
}

const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);

export const SMS_INBOUND_PATH = '/api/v1/channels/sms/twilio/inbound';

export async function smsSettings(ctx: Ctx): Promise<SmsSettings> {
  const raw = await readChannelSettings(ctx.db, 'sms');
  return {
    enabled: raw.enabled === true,
    accountSid: str(raw.accountSid, ''),
    authToken: str(raw.authToken, ''),
    fromNumber: str(raw.fromNumber, ''),
    apiBaseUrl: str(raw.apiBaseUrl, 'https://api.twilio.com'),
  };
}

export const presentSmsSettings = (s: SmsSettings, publicUrl: string): SmsSettingsResponse => ({
  enabled: s.enabled,
  adapter: 'twilio',
  accountSid: s.accountSid,
  fromNumber: s.fromNumber,
  apiBaseUrl: s.apiBaseUrl,
  authTokenSet: s.authToken !== '',
  inboundUrl: `${publicUrl}${SMS_INBOUND_PATH}`,
});

export async function getSmsSettings(ctx: Ctx): Promise<SmsSettings> {
  requireAdmin(ctx.actor);
  return smsSettings(ctx);
}

export async function updateSmsSettings(ctx: Ctx, input: z.output<typeof updateSmsSettingsRequest>): Promise<SmsSettings> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await smsSettings(tx);
    const next: SmsSettings = { ...before, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
    await writeChannelSettings(tx.db, 'sms', { ...next }, tx.now.toISOString());
    // The token never enters the audit log, only the fact that it changed.
    const changed = Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined);
    await recordAudit(tx, 'settings.updated', { type: 'settings', id: 'sms' }, { changed });
    return next;
  });
}
