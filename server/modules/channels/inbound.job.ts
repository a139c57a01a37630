import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/jobs/define-job.js';
import { processInbound } from './inbound-process.service.js';
import type { ChannelRuntime } from './mail-content.js';

const payload = z.object({ inboundId: z.string() });
const NAME = 'channels.process-inbound';

/**
 * Parses, threads and files one stored inbound message. The handler needs the blob store and
 * limits, so each job runner registers its own bound definition; enqueueing only needs the
 * name and payload schema, which this shared shape carries.
 */
export function processInboundJob(rt: ChannelRuntime): JobDefinition<typeof payload> {
  return defineJob({ name: NAME, payload, attempts: 5, handler: (ctx, p) => processInbound(ctx, rt, p.inboundId) });
}

export const processInboundShape: JobDefinition<typeof payload> = defineJob({
  name: NAME,
  payload,
  attempts: 5,
  handler: () => Promise.reject(new Error(`${NAME} runs through the definition registered with the job runner`)),
});
