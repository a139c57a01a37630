import { z } from 'zod';
import { uuidv7 } from '../../../platform/ids.js';
import { defineJob, type JobDefinition } from '../../../platform/jobs/define-job.js';
import { composeMail, headerText } from '../../../platform/mail/mail-composer.js';
import type { MailSender } from '../../../platform/mail/mail-sender.js';
import { findMailboxById } from '../mailboxes.repository.js';

const payload = z.object({ linkId: z.string(), email: z.string(), link: z.string(), mailboxId: z.string().nullable(), minutes: z.number().int() });
const NAME = 'channels.send-portal-link';
const ATTEMPTS = 4;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Sends the portal sign-in mail through the same relay as every outbound mail. Without a relay
 * there is no outbox row to show it in (the outbox is per ticket), so the link is written to the
 * log instead: that is the only way to sign in on a machine that sends no mail.
 */
export function sendPortalLinkJob(sender: MailSender, opts: { publicUrl: string; warn: (message: string) => void }): JobDefinition<typeof payload> {
  return defineJob({
    name: NAME,
    payload,
    attempts: ATTEMPTS,
    backoffMs: (n) => 15_000 * 4 ** (n - 1),
    ownTransactions: true,
    lane: 'outbound',
    async handler(ctx, p) {
      const mailbox = p.mailboxId ? await findMailboxById(ctx.db, p.mailboxId) : undefined;
      const brand = headerText(mailbox?.brand.name || mailbox?.displayName || 'Support', 100);
      const host = new URL(opts.publicUrl).hostname;
      // Only when no mailbox exists at all; a bare host name (localhost) is not a mail domain.
      const fromAddress = mailbox?.address ?? `no-reply@${host.includes('.') ? host : `${host}.localdomain`}`;
      if (sender.transport === 'local') {
        opts.warn(`no SMTP relay: portal sign-in link for ${p.email}: ${p.link}`);
        return;
      }
      const text = `Hello,\n\nUse this link to sign in to the ${brand} support portal. It works once and expires in ${p.minutes} minutes:\n\n${p.link}\n\nIf you did not ask for it, ignore this mail.\n`;
      const html = `<p>Hello,</p><p>Use this link to sign in to the ${escapeHtml(brand)} support portal. It works once and expires in ${p.minutes} minutes:</p><p><a href="${escapeHtml(p.link)}">Sign in to the support portal</a></p><p>If you did not ask for it, ignore this mail.</p>`;
      const raw = await composeMail({
        messageId: `<tessera.portal.${uuidv7(ctx.now.getTime())}@${fromAddress.split('@')[1]}>`,
        from: { name: brand, address: fromAddress },
        replyTo: null,
        to: [{ name: '', address: p.email }],
        cc: [],
        subject: `Your sign-in link for ${brand} support`,
        html,
        text,
        inReplyTo: null,
        references: [],
        date: ctx.now,
        automatic: true,
        attachments: [],
      });
      await sender.send(raw, { from: fromAddress, to: [p.email] });
    },
  });
}

/** Name and payload for enqueueing; the handler is the one bound to the sender at registration. */
export const sendPortalLinkShape: JobDefinition<typeof payload> = defineJob({
  name: NAME,
  payload,
  attempts: ATTEMPTS,
  handler: () => Promise.reject(new Error(`${NAME} runs through the definition registered with the job runner`)),
});
