import { timingSafeEqual } from 'node:crypto';
import { Liquid } from 'liquidjs';
import type { z } from 'zod';
import type { createTrackerRequest } from '../../../contracts/integrations.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { randomToken, uuidv7 } from '../../platform/ids.js';
import { listGroups, requireAdmin, requireStaff } from '../auth/index.js';
import { addMessageToTicket, listMessages } from '../messages/index.js';
import { applyChanges, getTicket, requireTicketById, ticketClosed, type Ticket } from '../tickets/index.js';
import { safeRequest, TargetRefusedError } from './safe-http.js';
import { signBody } from './webhook-delivery.js';
import { assertTarget } from './webhooks.service.js';
import { readAllowPrivate } from './webhooks.repository.js';
import {
  countTransfersOf,
  deleteTrackerRow,
  findTracker,
  findTransfer,
  findTransferByExternal,
  insertTracker,
  insertTransfer,
  listTrackerRows,
  listTransferRows,
  setTransferStatus,
  type Tracker,
  type Transfer,
  type TransferStatus,
} from './trackers.repository.js';

// Admin-written request templates: no file access, own properties only, bounded work.
const liquid = new Liquid({ templates: {}, strictFilters: true, ownPropertyOnly: true, parseLimit: 100_000, renderLimit: 1_000, memoryLimit: 10_000_000 });

/** The tag every transferred ticket gets, so the ticket list's filter language finds them too (`tag:transferred`). */
export const TRANSFERRED_TAG = 'transferred';

const STATUS_TEXT: Record<TransferStatus, string> = { transferred: 'transferred', in_progress: 'in progress', resolved: 'resolved' };

/** Escalates a ticket to another group (tier 2) with an internal note; the ticket's history names who did it. */
export async function escalateTicket(ctx: Ctx, number: number, input: { groupId: string; note: string }): Promise<Ticket> {
  requireStaff(ctx.actor);
  const [group] = await listGroups(ctx.db, [input.groupId]);
  if (!group) throw notFound('Group');
  return inTransaction(ctx, async (tx) => {
    const before = await getTicket(tx, number, { lock: true });
    if (before.groupId === input.groupId) throw conflict(`Ticket #${number} is already in ${group.name}`);
    // The new group picks it up: the former assignee lets go.
    const after = await applyChanges(tx, before, { groupId: input.groupId, assigneeId: null });
    await addMessageToTicket(tx, after, { kind: 'note', body: `Escalated to ${group.name}: ${input.note}`, format: 'text', attachmentIds: [] });
    return after;
  });
}

export async function listTrackers(ctx: Ctx): Promise<Tracker[]> {
  requireAdmin(ctx.actor);
  return listTrackerRows(ctx.db);
}

export async function createTracker(ctx: Ctx, input: z.output<typeof createTrackerRequest>): Promise<Tracker> {
  requireAdmin(ctx.actor);
  await assertTarget(ctx, input.createUrl);
  for (const [field, source] of [['createTemplate', input.createTemplate], ['commentTemplate', input.commentTemplate], ['commentUrl', input.commentUrl]] as const) {
    if (!source) continue;
    try {
      liquid.parse(source);
    } catch (err) {
      throw new AppError('validation_failed', `${field}: the Liquid template does not parse`, { fields: [{ path: field, message: (err as Error).message }] });
    }
  }
  const tracker: Tracker = { id: uuidv7(ctx.now.getTime()), ...input, inboundSecret: input.inboundSecret ?? randomToken(32), createdAt: ctx.now.toISOString() };
  return inTransaction(ctx, async (tx) => {
    await insertTracker(tx.db, tracker);
    await recordAudit(tx, 'tracker.created', { type: 'tracker', id: tracker.id }, { name: tracker.name, createUrl: tracker.createUrl });
    return tracker;
  });
}

export async function deleteTracker(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  if (!(await findTracker(ctx.db, id))) throw notFound('Tracker');
  if ((await countTransfersOf(ctx.db, id)) > 0) throw conflict('Tickets were transferred to this tracker; switch it off instead');
  await inTransaction(ctx, async (tx) => {
    await deleteTrackerRow(tx.db, id);
    await recordAudit(tx, 'tracker.deleted', { type: 'tracker', id });
  });
}

/** Renders an admin's template; a failure at run time is the admin's to fix, reported as such. */
async function render(tracker: Tracker, source: string, vars: Record<string, unknown>): Promise<string> {
  try {
    return await liquid.parseAndRender(source, vars);
  } catch (err) {
    throw badRequest(`The ${tracker.name} template failed: ${(err as Error).message}; an admin must fix it`);
  }
}

const pick = (value: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);

/** Sends a rendered JSON request to the tracker; a refused target or an answer outside 2xx is a clear 4xx/5xx for the agent. */
async function callTracker(ctx: Ctx, tracker: Tracker, url: string, body: string): Promise<unknown> {
  try {
    JSON.parse(body);
  } catch {
    throw badRequest(`The ${tracker.name} request template did not produce JSON; an admin must fix it`);
  }
  let res;
  try {
    res = await safeRequest({ url, method: 'POST', body, allowPrivate: await readAllowPrivate(ctx.db), headers: { 'content-type': 'application/json', accept: 'application/json', ...tracker.headers } });
  } catch (err) {
    if (err instanceof TargetRefusedError) throw new AppError('target_refused', err.message);
    throw badRequest(`${tracker.name} could not be reached: ${(err as Error).message}`);
  }
  if (res.status < 200 || res.status >= 300) throw badRequest(`${tracker.name} answered HTTP ${res.status}`, { status: res.status, body: res.body.slice(0, 500) });
  try {
    return res.body ? JSON.parse(res.body) : {};
  } catch {
    return {};
  }
}

async function templateVars(ctx: Ctx, ticket: Ticket, extra: Record<string, unknown>): Promise<Record<string, unknown>> {
  const first = (await listMessages(ctx, ticket.number)).find((m) => m.kind === 'customer');
  const agent = ctx.actor.type === 'user' ? { name: ctx.actor.name, email: ctx.actor.email } : { name: '', email: '' };
  return {
    ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject, status: ticket.status, priority: ticket.priority, type: ticket.type, created_at: ticket.createdAt },
    message: { text: first?.bodyText ?? '' },
    agent,
    ...extra,
  };
}

/**
 * Transfers a ticket to an external issue tracker: renders the tracker's request template, sends
 * it (outside any transaction: it waits on the network), then stores the issue id and link, tags
 * the ticket and leaves an internal note. One transfer per ticket.
 */
export async function transferTicket(ctx: Ctx, number: number, input: { trackerId: string; note: string }): Promise<Transfer> {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  const tracker = await findTracker(ctx.db, input.trackerId);
  if (!tracker || !tracker.active) throw notFound('Tracker');
  if (await findTransfer(ctx.db, ticket.id)) throw conflict(`Ticket #${number} was already transferred`);
  // Refused before the tracker is called: tagging the closed ticket afterwards would fail and leave an issue pointing nowhere.
  if (ticket.status === 'closed') throw ticketClosed([number]);
  const body = await render(tracker, tracker.createTemplate, await templateVars(ctx, ticket, { note: input.note }));
  const answer = await callTracker(ctx, tracker, tracker.createUrl, body);
  const externalId = pick(answer, tracker.idPath);
  if (typeof externalId !== 'string' && typeof externalId !== 'number') throw badRequest(`${tracker.name} answered without an issue id at "${tracker.idPath}"`);
  const link = tracker.urlPath ? pick(answer, tracker.urlPath) : null;
  return inTransaction(ctx, async (tx) => {
    const locked = await getTicket(tx, number, { lock: true });
    if (await findTransfer(tx.db, ticket.id)) throw conflict(`Ticket #${number} was already transferred`);
    const at = tx.now.toISOString();
    const transfer: Transfer = {
      ticketId: ticket.id,
      number,
      trackerId: tracker.id,
      externalId: String(externalId),
      externalUrl: typeof link === 'string' && /^https?:\/\//.test(link) ? link : null,
      externalStatus: 'transferred',
      transferredBy: ctx.actor.type === 'user' ? ctx.actor.id : null,
      createdAt: at,
      updatedAt: at,
    };
    await insertTransfer(tx.db, transfer);
    const after = await applyChanges(tx, locked, { addTags: [TRANSFERRED_TAG] });
    const where = transfer.externalUrl ? ` (${transfer.externalUrl})` : '';
    await addMessageToTicket(tx, after, { kind: 'note', body: `Transferred to ${tracker.name} as ${transfer.externalId}${where}.${input.note ? `\n\n${input.note}` : ''}`, format: 'text', attachmentIds: [] });
    return transfer;
  });
}

/** The ticket's transfer with its tracker's name, or null (staff who can see the ticket). */
export async function ticketTransfer(ctx: Ctx, number: number): Promise<(Transfer & { trackerName: string }) | null> {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  const t = await findTransfer(ctx.db, ticket.id);
  if (!t) return null;
  return { ...t, trackerName: (await findTracker(ctx.db, t.trackerId))?.name ?? '' };
}

/** Sends an agent's comment to the tracker issue, and keeps it on the ticket as an internal note. */
export async function commentOnTransfer(ctx: Ctx, number: number, body: string): Promise<void> {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  const transfer = await findTransfer(ctx.db, ticket.id);
  if (!transfer) throw notFound('Transfer');
  const tracker = await findTracker(ctx.db, transfer.trackerId);
  if (!tracker?.commentUrl || !tracker.commentTemplate) throw badRequest(`${tracker?.name ?? 'The tracker'} takes no comments (no comment URL or template)`);
  const vars = await templateVars(ctx, ticket, { external: { id: transfer.externalId, url: transfer.externalUrl }, comment: { text: body } });
  const url = (await render(tracker, tracker.commentUrl, vars)).trim();
  await callTracker(ctx, tracker, url, await render(tracker, tracker.commentTemplate, vars));
  await inTransaction(ctx, async (tx) => {
    const locked = await getTicket(tx, number, { lock: true });
    await addMessageToTicket(tx, locked, { kind: 'note', body: `Sent to ${tracker.name}: ${body}`, format: 'text', attachmentIds: [] });
  });
}

/** All transferred tickets the actor can see, newest first. */
export async function listTransfers(ctx: Ctx, o: { status?: TransferStatus | undefined; limit: number }): Promise<(Transfer & { trackerName: string })[]> {
  requireStaff(ctx.actor);
  const names = new Map((await listTrackerRows(ctx.db)).map((t) => [t.id, t.name]));
  const out: (Transfer & { trackerName: string })[] = [];
  for (const t of await listTransferRows(ctx.db, o)) {
    // Restricted agents see only their groups' tickets.
    if (!(await getTicket(ctx, t.number).then(() => true, () => false))) continue;
    out.push({ ...t, trackerName: names.get(t.trackerId) ?? '' });
  }
  return out;
}

const FIVE_MINUTES = 300;

/**
 * A status update from the tracker, signed like our outgoing webhooks with the tracker's inbound
 * secret: `X-Tessera-Signature: sha256=HMAC("<X-Tessera-Timestamp>.<body>")`, the timestamp
 * within five minutes (old captures cannot be replayed). A bad signature stores nothing.
 */
export async function receiveTrackerStatus(ctx: Ctx, trackerId: string, raw: { body: string; timestamp: string | undefined; signature: string | undefined }, input: { externalId: string; status: TransferStatus }): Promise<Transfer> {
  const tracker = await findTracker(ctx.db, trackerId);
  const fresh = raw.timestamp !== undefined && /^\d+$/.test(raw.timestamp) && Math.abs(ctx.now.getTime() / 1000 - Number(raw.timestamp)) <= FIVE_MINUTES;
  const expected = tracker && raw.timestamp ? Buffer.from(signBody(tracker.inboundSecret, raw.timestamp, raw.body)) : null;
  const given = Buffer.from(raw.signature ?? '');
  if (!tracker || !expected || !fresh || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('signature_invalid', 'The X-Tessera-Signature header does not match this request, or its timestamp is too old');
  }
  const sys: Ctx = { ...ctx, actor: systemActor(`tracker:${tracker.name}`) };
  const transfer = await findTransferByExternal(sys.db, tracker.id, input.externalId);
  if (!transfer) throw notFound('Transferred issue');
  if (transfer.externalStatus === input.status) return transfer;
  return inTransaction(sys, async (tx) => {
    // Locked: the note is counted on the ticket from this read.
    const ticket = await requireTicketById(tx, transfer.ticketId, { lock: true });
    await setTransferStatus(tx.db, transfer.ticketId, input.status, tx.now.toISOString());
    await addMessageToTicket(tx, ticket, { kind: 'note', body: `${tracker.name} issue ${transfer.externalId} is now ${STATUS_TEXT[input.status]}.`, format: 'text', attachmentIds: [] });
    return { ...transfer, externalStatus: input.status, updatedAt: tx.now.toISOString() };
  });
}

