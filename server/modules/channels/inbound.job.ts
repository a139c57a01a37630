import { defineJob, type JobDefinition } from '../../platform/jobs/define-job.js';
import { processInbound } from './inbound-process.service.js';
import { PROCESS_INBOUND, processInboundPayload } from './inbound-job-shape.js';
import type { ChannelRuntime } from './mail-content.js';

/** Parses, threads and files one stored inbound message, bound to this runner's blob store and limits. */
export function processInboundJob(rt: ChannelRuntime): JobDefinition<typeof processInboundPayload> {
  // Isolated: a message that cannot be processed is rolled back to its own savepoint and quarantined.
  return defineJob({ name: PROCESS_INBOUND, payload: processInboundPayload, attempts: 5, isolated: true, handler: (ctx, p) => processInbound(ctx, rt, p.inboundId, p.deferrals ?? 0) });
}
