import { createHash } from 'node:crypto';
import type { Ctx } from '../../platform/context.js';
import { durableWrite } from '../../platform/db/dialect/durable.js';
import { invalidField } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { enqueue } from '../../platform/jobs/define-job.js';
import { decodeHeaderWords, firstAddress, headerValue, messageIdOf, readTopHeaders, stableMessageId } from '../../platform/mail/raw-headers.js';
import { insertInbound, type InboundEnvelope, type InboundStatus, type MailSource } from './inbound.repository.js';
import { processInboundShape } from './inbound-job-shape.js';

export interface IncomingMail {
  raw: Buffer;
  source: MailSource;
  mailboxId: string | null;
  envelope: InboundEnvelope;
}

export interface StoredMail {
  id: string;
  messageId: string;
  /** The same Message-ID was already stored: nothing new was written or queued. */
  duplicate: boolean;
  status: InboundStatus;
}

/**
 * The first step of every inbound path (SMTP, HTTP, pipe, IMAP): the raw bytes are committed
 * durably, unique by Message-ID (a message without one gets a stable id from the hash of its
 * bytes), together with the job that will process them. Only after this resolves may the
 * sender be told the message was accepted.
 */
export async function storeInboundMail(ctx: Ctx, mail: IncomingMail): Promise<StoredMail> {
  if (mail.raw.length === 0) throw invalidField('body', 'is empty; send the raw message');
  const headers = readTopHeaders(mail.raw);
  const messageId = messageIdOf(headers) ?? stableMessageId(mail.raw);
  const subject = decodeHeaderWords(headerValue(headers, 'subject')).slice(0, 500) || null;
  const sha256 = createHash('sha256').update(mail.raw).digest('hex');
  const result = await durableWrite(ctx.db, async (trx) => {
    const now = ctx.now;
    const stored = await insertInbound(trx, {
      id: uuidv7(now.getTime()),
      messageId,
      source: mail.source,
      mailboxId: mail.mailboxId,
      envelope: mail.envelope,
      raw: mail.raw,
      sha256,
      from: firstAddress(headerValue(headers, 'from')),
      subject,
      receivedAt: now.toISOString(),
    });
    // A new row has a new id, so its job needs no key to stay single (a replay adds its own).
    if (stored.inserted) await enqueue({ ...ctx, db: trx }, processInboundShape, { inboundId: stored.id });
    return stored;
  });
  // Mail comes in bursts, and storing it writes a job but no event: the outbox need not be read.
  if (ctx.events.wakeWorkers) ctx.events.wakeWorkers();
  else ctx.events.kick();
  return { id: result.id, messageId, duplicate: !result.inserted, status: result.status };
}
