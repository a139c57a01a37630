import type { Ctx } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { forbidden } from '../../../platform/errors.js';
import { uuidv7 } from '../../../platform/ids.js';
import { enqueue } from '../../../platform/jobs/define-job.js';
import { createTicketRequest } from '../../../../contracts/tickets.js';
import { getContactsByIds, normalizePhone } from '../../contacts/index.js';
import { addMessageToTicket, createTicketWithMessage } from '../../messages/index.js';
import { currentTicketById, getTicket, requireTicketById, type Ticket } from '../../tickets/index.js';
import { findOrCreateContactByPhone } from '../phone/phone-contacts.js';
import type { ChannelAdapter, InboundText } from './sms-adapter.js';
import { sendTextShape } from './sms-send.job.js';
import { smsSettings } from './sms-settings.service.js';
import { findSmsByExternalId, findSmsByMessageId, insertSms, latestSmsOfNumber, latestSmsOfTicket, listSmsOfTicket, type SmsMessage } from './sms.repository.js';

/** A merged ticket's conversation continues on the ticket it was merged into. */
const subjectOf = (body: string, from: string): string => {
  const line = body.replace(/\s+/g, ' ').trim();
  if (!line) return `Text message from ${from}`;
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
};

/**
 * Stores one inbound text (already verified by the route): the same provider id twice is
 * stored once; it joins the number's latest ticket unless that one is closed, else opens one.
 */
export async function receiveText(ctx: Ctx, adapter: ChannelAdapter, text: InboundText): Promise<{ ticket: Ticket; duplicate: boolean }> {
  try {
    return await storeText(ctx, adapter, text);
  } catch (err) {
    // Lost a race (the same text delivered twice at once, or two first texts from one number
    // making the contact): the winner has committed, so one more try finds its rows.
    const seen = await findSmsByExternalId(ctx.db, adapter.name, text.externalId);
    if (seen) return { ticket: await requireTicketById(ctx, seen.ticketId), duplicate: true };
    if (ctx.db.isTransaction) throw err;
    return storeText(ctx, adapter, text);
  }
}

async function storeText(ctx: Ctx, adapter: ChannelAdapter, text: InboundText): Promise<{ ticket: Ticket; duplicate: boolean }> {
  const customerNumber = normalizePhone(text.from);
  const ourNumber = normalizePhone(text.to);
  const mediaLines = text.mediaUrls.map((u, i) => `Attachment ${i + 1}: ${u}`);
  const body = [text.body.trim(), ...mediaLines].filter(Boolean).join('\n\n') || '(empty message)';
  return inTransaction(ctx, async (tx) => {
    const seen = await findSmsByExternalId(tx.db, adapter.name, text.externalId);
    if (seen) return { ticket: await requireTicketById(tx, seen.ticketId), duplicate: true };
    const { contact } = await findOrCreateContactByPhone(tx, customerNumber);
    const last = await latestSmsOfNumber(tx.db, adapter.name, customerNumber);
    let open: Ticket | null = null;
    if (last) {
      const t = await currentTicketById(tx, last.ticketId);
      if (t.status !== 'closed') open = t;
    }
    let ticket: Ticket;
    let messageId: string;
    if (open) {
      const added = await addMessageToTicket(tx, open, { kind: 'customer', body, format: 'text', attachmentIds: [], authorContactId: contact.id });
      ticket = added.ticket;
      messageId = added.message.id;
    } else {
      const request = createTicketRequest.parse({ subject: subjectOf(text.body, customerNumber), requesterId: contact.id, channel: adapter.channel, message: { body, format: 'text' } });
      const created = await createTicketWithMessage(tx, request);
      ticket = created.ticket;
      messageId = created.message.id;
    }
    const at = tx.now.toISOString();
    await insertSms(tx.db, {
      id: uuidv7(tx.now.getTime()),
      adapter: adapter.name,
      direction: 'inbound',
      ticketId: ticket.id,
      messageId,
      customerNumber,
      ourNumber,
      externalId: text.externalId,
      status: 'received',
      lastError: null,
      attempts: 0,
      createdAt: at,
    });
    return { ticket, duplicate: false };
  });
}

/**
 * An agent's reply on a texting ticket goes back as a text: to the number the conversation is
 * with (or the requester's first number), from the number it came in on (or the configured one).
 * Queued in one transaction with its send job; a reply already queued is not queued again.
 */
export async function queueTextReply(ctx: Ctx, input: { ticketId: string; messageId: string }): Promise<SmsMessage | null> {
  return inTransaction(ctx, async (tx) => {
    if (await findSmsByMessageId(tx.db, input.messageId)) return null;
    const ticket = await requireTicketById(tx, input.ticketId);
    const last = await latestSmsOfTicket(tx.db, ticket.id);
    if (!last && ticket.channel !== 'sms') return null;
    const settings = await smsSettings(tx);
    let customerNumber = last?.customerNumber;
    if (!customerNumber) {
      const [requester] = await getContactsByIds(tx, [ticket.requesterId]);
      customerNumber = requester?.phones[0];
    }
    const ourNumber = last?.ourNumber || normalizePhone(settings.fromNumber);
    if (!customerNumber || !ourNumber) return null;
    const sms: SmsMessage = {
      id: uuidv7(tx.now.getTime()),
      adapter: last?.adapter ?? 'twilio',
      direction: 'outbound',
      ticketId: ticket.id,
      messageId: input.messageId,
      customerNumber,
      ourNumber,
      externalId: null,
      status: 'queued',
      lastError: null,
      attempts: 0,
      createdAt: tx.now.toISOString(),
    };
    await insertSms(tx.db, sms);
    await enqueue(tx, sendTextShape, { smsId: sms.id }, { uniqueKey: `send-text:${sms.id}` });
    return sms;
  });
}

/** The texts of a ticket with their delivery status (staff who can see the ticket). */
export async function textsOfTicket(ctx: Ctx, number: number): Promise<SmsMessage[]> {
  if (ctx.actor.type === 'customer') throw forbidden('Only staff may do this');
  const ticket = await getTicket(ctx, number);
  return listSmsOfTicket(ctx.db, ticket.id);
}
