export { registerSlaRoutes } from './sla.routes.js';
export { registerSlaSubscribers } from './sla.subscribers.js';
export { applySlaPolicy } from './ticket-sla.service.js';
export { getCalendar, isWithinBusinessHours } from './calendars.service.js';
export type { Calendar, Policy } from './sla-config.repository.js';
export { sweepSla } from './sla-sweep.job.js';
export { policyNames } from './policies.service.js';
export { registerSlaReferences, type SlaReferences } from './sla-references.js';

import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { recomputePolicyJob } from './sla-recompute.job.js';
import { slaSweepJob } from './sla-sweep.job.js';

/** The sweep runs every `TESSERA_SWEEP_SECONDS` (default a minute); policy changes re-time tickets in a job. */
export function registerSlaJobs(jobs: JobRunner, everyMs = 60_000): void {
  jobs.register(recomputePolicyJob);
  jobs.every(slaSweepJob, everyMs);
}
