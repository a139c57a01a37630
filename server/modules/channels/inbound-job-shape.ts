import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/jobs/define-job.js';

export const processInboundPayload = z.object({
  inboundId: z.string(),
  /** How often this message waited already for the message it answers (see processInbound). */
  deferrals: z.number().int().min(0).optional(),
});
export const PROCESS_INBOUND = 'channels.process-inbound';

/**
 * What enqueueing needs (name and payload); the handler needs the blob store and limits, so each
 * job runner registers its own bound definition (inbound.job.ts).
 */
export const processInboundShape: JobDefinition<typeof processInboundPayload> = defineJob({
  name: PROCESS_INBOUND,
  payload: processInboundPayload,
  attempts: 5,
  handler: () => Promise.reject(new Error(`${PROCESS_INBOUND} runs through the definition registered with the job runner`)),
});
