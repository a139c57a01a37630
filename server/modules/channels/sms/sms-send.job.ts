import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../../platform/jobs/define-job.js';
import { ProviderSendError, type ChannelAdapter } from './sms-adapter.js';
import { smsSettings } from './sms-settings.service.js';
import { findSmsById, updateSmsDelivery } from './sms.repository.js';
import { getMessageSummaries } from '../../messages/index.js';

const payload = z.object({ smsId: z.string() });
const NAME = 'channels.send-text';
export const SEND_TEXT_ATTEMPTS = 5;
// 20 s, 80 s, 5 min, 21 min: a provider outage of a few minutes loses nothing.
const backoffMs = (n: number): number => Math.min(3600_000, 20_000 * 4 ** (n - 1));

/**
 * Sends one queued text through its provider. Network and 5xx/429 failures throw so the runner
 * retries; a refusal (4xx) or the last attempt marks the text failed for agents to see.
 */
export function sendTextJob(adapters: ReadonlyMap<string, ChannelAdapter>): JobDefinition<typeof payload> {
  return defineJob({
    name: NAME,
    payload,
    attempts: SEND_TEXT_ATTEMPTS,
    backoffMs,
    ownTransactions: true,
    lane: 'outbound',
    async handler(ctx, p) {
      const sms = await findSmsById(ctx.db, p.smsId);
      if (!sms || sms.status !== 'queued') return;
      const adapter = adapters.get(sms.adapter);
      const settings = await smsSettings(ctx);
      const attempts = sms.attempts + 1;
      const at = () => ctx.now.toISOString();
      if (!adapter || !settings.enabled || !settings.authToken || !settings.accountSid) {
        await updateSmsDelivery(ctx.db, sms.id, { status: 'failed', lastError: 'the SMS channel is not configured', attempts }, at());
        return;
      }
      try {
        const [message] = sms.messageId ? await getMessageSummaries(ctx, [sms.messageId]) : [];
        const body = message?.bodyText ?? '';
        const sent = await adapter.send(settings, { from: sms.ourNumber, to: sms.customerNumber, body });
        await updateSmsDelivery(ctx.db, sms.id, { status: 'sent', externalId: sent.externalId || null, lastError: null, attempts }, at());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const final = (err instanceof ProviderSendError && err.permanent) || attempts >= SEND_TEXT_ATTEMPTS;
        await updateSmsDelivery(ctx.db, sms.id, { status: final ? 'failed' : 'queued', lastError: message, attempts }, at());
        if (!final) throw err;
      }
    },
  });
}

export const sendTextShape: JobDefinition<typeof payload> = defineJob({
  name: NAME,
  payload,
  attempts: SEND_TEXT_ATTEMPTS,
  backoffMs,
  handler: () => Promise.reject(new Error(`${NAME} runs through the definition registered with the job runner`)),
});
