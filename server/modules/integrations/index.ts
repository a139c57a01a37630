import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { deliverWebhookJob, pruneWebhookLogJob } from './webhooks.job.js';

export { registerWebhookRoutes } from './webhooks.routes.js';
export { registerTransferRoutes } from './transfers.routes.js';
export { registerWebhookSubscribers } from './webhooks.job.js';
export { isPublicAddress } from './safe-http.js';
export { registerWebhookReferences, type WebhookReferences } from './webhook-references.js';
export { webhooksByIds } from './webhooks.service.js';

export function registerIntegrationJobs(jobs: JobRunner): void {
  jobs.register(deliverWebhookJob);
  jobs.every(pruneWebhookLogJob, 6 * 3600_000);
}
