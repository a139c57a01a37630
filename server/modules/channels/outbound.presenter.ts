import type { z } from 'zod';
import type { mailDeliveryResponse, outboxItemResponse, renderedMail } from '../../../contracts/mail-outbound.js';
import { headerValue } from '../../platform/mail/raw-headers.js';
import { parseMail } from '../../platform/mail/mime-parser.js';
import type { OutboundMail } from './outbound.repository.js';

export const presentDelivery = (m: OutboundMail): z.infer<typeof mailDeliveryResponse> => ({
  id: m.id,
  kind: m.kind,
  ticketMessageId: m.ticketMessageId,
  messageId: m.headerId,
  from: m.from,
  to: m.to,
  cc: m.cc,
  subject: m.subject,
  automatic: m.automatic,
  status: m.status,
  transport: m.transport,
  attempts: m.attempts,
  lastError: m.lastError,
  lastErrorAt: m.lastErrorAt,
  smtpResponse: m.smtpResponse,
  queuedAt: m.queuedAt,
  sentAt: m.sentAt,
  failedAt: m.failedAt,
});

/** What a mail client would show for the raw bytes: read back with the same parser inbound mail uses. */
export async function renderRaw(raw: Buffer): Promise<z.infer<typeof renderedMail>> {
  const p = await parseMail(raw);
  return {
    from: p.from,
    replyTo: p.replyTo,
    to: p.to,
    cc: p.cc,
    subject: p.subject,
    date: p.date,
    inReplyTo: p.inReplyTo,
    references: p.references,
    autoSubmitted: headerValue(p.headers, 'auto-submitted') ?? null,
    text: p.text,
    html: p.html,
    attachments: p.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length })),
  };
}

export async function presentOutboxItem(m: OutboundMail & { raw: Buffer }, numbers: Map<string, number>): Promise<z.infer<typeof outboxItemResponse>> {
  return { ...presentDelivery(m), ticketNumber: numbers.get(m.ticketId) ?? null, raw: m.raw.toString('utf8'), rendered: await renderRaw(m.raw) };
}
