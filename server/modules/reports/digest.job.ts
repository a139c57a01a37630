import { z } from 'zod';
import { uuidv7 } from '../../platform/ids.js';
import { defineJob, type JobDefinition } from '../../platform/jobs/define-job.js';
import { composeMail } from '../../platform/mail/mail-composer.js';
import type { MailSender } from '../../platform/mail/mail-sender.js';
import { dueDigest, markDigestSent } from './digest.service.js';

const payload = z.object({}).passthrough();

/**
 * Every few minutes: sends the report digest when it is due, through the outbound relay.
 * Marked sent after the relay accepted it; a crash in between sends it again (at least once).
 */
export function digestJob(sender: MailSender, opts: { fromAddress: string; warn: (m: string) => void }): JobDefinition<typeof payload> {
  return defineJob({
    name: 'reports.digest',
    payload,
    attempts: 3,
    ownTransactions: true,
    lane: 'outbound',
    async handler(ctx) {
      const mail = await dueDigest(ctx);
      if (!mail) return;
      if (sender.transport === 'local') opts.warn(`no SMTP relay: report digest for ${mail.sentFor} not mailed`);
      else {
        const raw = await composeMail({
          messageId: `<tessera.digest.${uuidv7(ctx.now.getTime())}@${opts.fromAddress.split('@')[1]}>`,
          from: { name: 'Tessera reports', address: opts.fromAddress },
          replyTo: null,
          to: mail.to,
          cc: [],
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          inReplyTo: null,
          references: [],
          date: ctx.now,
          automatic: true,
          attachments: [],
        });
        await sender.send(raw, { from: opts.fromAddress, to: mail.to.map((t) => t.address) });
      }
      await markDigestSent(ctx, mail.sentFor);
    },
  });
}
