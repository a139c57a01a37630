import { isImported, type EventPayload } from '../../../contracts/events.js';
import type { Config } from '../../config.js';
import { systemActor } from '../../platform/context.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { mailSenderFor } from '../../platform/mail/mail-sender.js';
import { loadOutboundMailConfig } from '../../platform/mail/outbound-config.js';
import { callbackDueJob } from './phone/callbacks.job.js';
import { fireCallbackIfDue } from './phone/callbacks.service.js';
import { registerPhoneRoutes } from './phone/phone.routes.js';
import { sendPortalLinkJob } from './portal/portal-mail.job.js';
import { registerPortalRoutes } from './portal/portal.routes.js';
import type { ChannelAdapter } from './sms/sms-adapter.js';
import { sendTextJob } from './sms/sms-send.job.js';
import { registerSmsRoutes } from './sms/sms.routes.js';
import { queueTextReply } from './sms/sms.service.js';
import { twilioAdapter } from './sms/twilio.adapter.js';

/** Messaging providers by name; a WhatsApp or social adapter is one more entry. */
const ADAPTERS: ReadonlyMap<string, ChannelAdapter> = new Map([[twilioAdapter.name, twilioAdapter]]);

/** Phone (calls, callbacks, CTI), SMS/social webhooks and the customer portal. */
export function registerMessagingChannelRoutes(app: AppInstance, deps: AppDeps): void {
  registerPhoneRoutes(app, deps);
  registerSmsRoutes(app, deps, twilioAdapter);
  registerPortalRoutes(app, deps);
}

export function registerMessagingChannelJobs(jobs: JobRunner, deps: { config: Config }): void {
  const warn = (message: string) => {
    if (deps.config.logLevel !== 'silent') console.warn(`tessera: ${message}`);
  };
  jobs.register(sendPortalLinkJob(mailSenderFor(loadOutboundMailConfig().smtpUrl), { publicUrl: deps.config.publicUrl, warn }));
  jobs.register(sendTextJob(ADAPTERS));
  jobs.register(callbackDueJob(fireCallbackIfDue));
}

/** An agent's reply on a texting ticket goes out as a text. */
export function registerMessagingChannelSubscribers(events: EventDispatcher): void {
  events.subscribe('message.created', async (event, db) => {
    const p = event.payload as EventPayload<'message.created'>;
    // An imported reply was sent long ago.
    if (p.kind !== 'reply' || isImported(p)) return;
    const ctx = { actor: systemActor('sms'), requestId: event.id, now: new Date(event.createdAt), db, events };
    await queueTextReply(ctx, { ticketId: p.ticketId, messageId: p.messageId });
  });
}
