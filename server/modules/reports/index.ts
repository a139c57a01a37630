import type { Config } from '../../config.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { mailSenderFor } from '../../platform/mail/mail-sender.js';
import { loadOutboundMailConfig } from '../../platform/mail/outbound-config.js';
import { z } from 'zod';
import { defineJob } from '../../platform/jobs/define-job.js';
import { digestJob } from './digest.job.js';
import { ensureRollups } from './rollups.service.js';

export { registerReportRoutes } from './reports.routes.js';
export { registerReportSubscribers } from './reports.subscribers.js';
export { digestJob } from './digest.job.js';

const DIGEST_CHECK_MS = 10 * 60_000;

/** Builds the daily rollups when missing or when the account's time zone changed. */
const rollupsJob = defineJob({ name: 'reports.rollups', payload: z.object({}).passthrough(), attempts: 3, handler: async (ctx) => void (await ensureRollups(ctx)) });

/** The digest check runs every ten minutes and sends when the account's local hour has come. */
export function registerReportJobs(jobs: JobRunner, deps: { config: Config }): void {
  const warn = (message: string) => {
    if (deps.config.logLevel !== 'silent') console.warn(`tessera: ${message}`);
  };
  jobs.every(rollupsJob, DIGEST_CHECK_MS);
  jobs.every(digestJob(mailSenderFor(loadOutboundMailConfig().smtpUrl), { fromAddress: `no-reply@${new URL(deps.config.publicUrl).hostname}`, warn }), DIGEST_CHECK_MS);
}
