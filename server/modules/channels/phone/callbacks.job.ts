import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../../platform/jobs/define-job.js';

const payload = z.object({ callbackId: z.string() });
const NAME = 'channels.callback-due';

/** Enqueued for a callback's due time; the handler is bound at registration (it needs the service). */
export const callbackDueShape: JobDefinition<typeof payload> = defineJob({
  name: NAME,
  payload,
  handler: () => Promise.reject(new Error(`${NAME} runs through the definition registered with the job runner`)),
});

export function callbackDueJob(fire: (ctx: Parameters<JobDefinition['handler']>[0], callbackId: string) => Promise<boolean>): JobDefinition<typeof payload> {
  return defineJob({ name: NAME, payload, handler: async (ctx, p) => void (await fire(ctx, p.callbackId)) });
}
