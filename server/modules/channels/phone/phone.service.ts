import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { ctiEventRequest, logCallRequest } from '../../../../contracts/phone.js';
import { createTicketRequest } from '../../../../contracts/tickets.js';
import type { Ctx } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { uuidv7 } from '../../../platform/ids.js';
import { findUserForCli, requireStaff } from '../../auth/index.js';
import { normalizePhone } from '../../contacts/index.js';
import { addMessageToTicket, createTicketWithMessage, mergedAway } from '../../messages/index.js';
import { appendTicketEvents, eventsFrom, getTicket, requireTicketById, type Ticket } from '../../tickets/index.js';
import { findOrCreateContactByPhone } from './phone-contacts.js';
import { findCallByExternalId, insertCall, listCallsOfTicket, type Call } from './phone.repository.js';

export const formatDuration = (s: number): string => (s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);

interface CallInput {
  number: string;
  direction: 'inbound' | 'outbound';
  durationSeconds: number;
  notes: string;
  recordingUrl: string | null;
  ticketNumber?: number | undefined;
  subject?: string | undefined;
  callerName?: string | undefined;
  startedAt?: string | undefined;
  externalId: string | null;
  userId: string | null;
}

/**
 * Records a call: the caller is matched to a contact by number (made when unknown); the call goes
 * on the given ticket or opens one (channel "phone"). The ticket gets an internal note with the
 * agent's notes and the recording, and a `call_logged` event for the timeline.
 */
async function recordCall(ctx: Ctx, input: CallInput): Promise<{ call: Call; ticket: Ticket }> {
  const number = normalizePhone(input.number);
  return inTransaction(ctx, async (tx) => {
    const { contact } = await findOrCreateContactByPhone(tx, number, input.callerName);
    const what = `${input.direction === 'inbound' ? 'Inbound call from' : 'Outbound call to'} ${number} (${formatDuration(input.durationSeconds)})`;
    let ticket: Ticket;
    if (input.ticketNumber !== undefined) {
      ticket = await getTicket(tx, input.ticketNumber, { lock: true });
      if (ticket.mergedIntoId) throw await mergedAway(tx, ticket);
    } else {
      const request = createTicketRequest.parse({
        subject: input.subject ?? what.replace(/ \(.*\)$/, ''),
        requesterId: contact.id,
        channel: 'phone',
        message: { body: what, format: 'text' },
      });
      ticket = (await createTicketWithMessage(tx, request)).ticket;
    }
    const noteBody = [what, input.notes, input.recordingUrl ? `Recording: ${input.recordingUrl}` : ''].filter(Boolean).join('\n\n');
    const added = await addMessageToTicket(tx, ticket, { kind: 'note', body: noteBody, format: 'text', attachmentIds: [] });
    const call: Call = {
      id: uuidv7(tx.now.getTime()),
      ticketId: ticket.id,
      messageId: added.message.id,
      contactId: contact.id,
      userId: input.userId,
      direction: input.direction,
      number,
      durationSeconds: input.durationSeconds,
      notes: input.notes,
      recordingUrl: input.recordingUrl,
      externalId: input.externalId,
      startedAt: input.startedAt ? new Date(input.startedAt).toISOString() : tx.now.toISOString(),
      createdAt: tx.now.toISOString(),
    };
    await insertCall(tx.db, call);
    await appendTicketEvents(
      tx.db,
      eventsFrom(tx, ticket.id, [{ action: 'call_logged', from: null, to: { callId: call.id, direction: call.direction, number, durationSeconds: call.durationSeconds } }]),
    );
    return { call, ticket: added.ticket };
  });
}

export async function logCall(ctx: Ctx, input: z.output<typeof logCallRequest>): Promise<{ call: Call; ticket: Ticket }> {
  requireStaff(ctx.actor);
  return recordCall(ctx, { ...input, externalId: null, userId: ctx.actor.type === 'user' ? ctx.actor.id : null });
}

/**
 * The CTI signature: hex HMAC-SHA256 of `<timestamp>.<raw body>` with the shared secret, sent as
 * `X-Tessera-Signature: sha256=<hex>` with `X-Tessera-Timestamp` (Unix seconds). The timestamp
 * bounds replays to five minutes.
 */
export function ctiSignature(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export function verifyCtiSignature(input: { secret: string | null; timestamp: string | undefined; signature: string | undefined; rawBody: string; now: Date }): boolean {
  const { secret, timestamp, signature } = input;
  if (!secret || !timestamp || !signature || !/^\d{9,11}$/.test(timestamp)) return false;
  if (Math.abs(input.now.getTime() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(ctiSignature(secret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A verified CTI event: one call per phone-system call id, however often the event is delivered. */
export async function receiveCtiEvent(ctx: Ctx, e: z.output<typeof ctiEventRequest>): Promise<{ call: Call; ticket: Ticket; duplicate: boolean }> {
  const seen = await findCallByExternalId(ctx.db, e.callId);
  if (seen) return { call: seen, ticket: await requireTicketById(ctx, seen.ticketId), duplicate: true };
  const agent = e.agentEmail ? await findUserForCli(ctx, e.agentEmail) : undefined;
  const record = () => recordCall(ctx, {
    number: e.direction === 'inbound' ? e.from : e.to,
    direction: e.direction,
    durationSeconds: e.durationSeconds,
    notes: e.notes,
    recordingUrl: e.recordingUrl,
    ticketNumber: e.ticketNumber,
    startedAt: e.startedAt,
    externalId: e.callId,
    userId: agent && agent.active && agent.role !== 'customer' ? agent.id : null,
  });
  try {
    return { ...(await record()), duplicate: false };
  } catch (err) {
    // The same event delivered twice at once: the unique call id let one in; answer with it.
    const winner = await findCallByExternalId(ctx.db, e.callId);
    if (winner) return { call: winner, ticket: await requireTicketById(ctx, winner.ticketId), duplicate: true };
    if (ctx.db.isTransaction) throw err;
    return { ...(await record()), duplicate: false };
  }
}

export async function callsOfTicket(ctx: Ctx, number: number): Promise<{ calls: Call[]; ticket: Ticket }> {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  return { calls: await listCallsOfTicket(ctx.db, ticket.id), ticket };
}
