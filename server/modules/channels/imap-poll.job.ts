import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../platform/jobs/define-job.js';
import { pollAllMailboxes, type ImapPollRuntime } from './imap-poll.service.js';

const payload = z.object({});

/**
 * The periodic IMAP poll (JobRunner.every). It talks to IMAP servers, so it runs outside a
 * transaction; each message is committed durably as it is stored. No retries: the next run
 * comes soon, and each mailbox records its own failure.
 */
export function imapPollJob(rt: ImapPollRuntime): JobDefinition<typeof payload> {
  return defineJob({
    name: 'channels.imap-poll',
    payload,
    attempts: 1,
    ownTransactions: true,
    lane: 'imap',
    handler: async (ctx) => {
      await pollAllMailboxes(ctx, rt);
    },
  });
}
