import type { z } from 'zod';
import type { CannedResponseResponse, createCannedResponseRequest, updateCannedResponseRequest } from '../../../contracts/workspace.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { isAdmin, type StaffActor } from '../auth/index.js';
import { getContactsByIds } from '../contacts/index.js';
import { getTicket } from '../tickets/index.js';
import { checkTemplate, renderTemplate } from './canned-template.js';
import { deleteCannedRow, findCanned, insertCanned, listVisibleCanned, updateCannedRow, type CannedResponse } from './canned-responses.repository.js';

function agentOf(ctx: Ctx): StaffActor {
  if (ctx.actor.type !== 'user') throw forbidden('Canned responses belong to agents');
  return ctx.actor;
}

export const presentCanned = (c: CannedResponse): CannedResponseResponse => ({
  id: c.id,
  title: c.title,
  body: c.body,
  scope: c.ownerId ? 'personal' : 'shared',
  ownerId: c.ownerId,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

/** A response the agent may see: shared ones and their own. Anyone else's personal one does not exist for them. */
async function visible(ctx: Ctx, id: string): Promise<CannedResponse> {
  const agent = agentOf(ctx);
  const c = await findCanned(ctx.db, id);
  if (!c || (c.ownerId !== null && c.ownerId !== agent.id)) throw notFound('Canned response');
  return c;
}

/** Shared ones are the team's: only admins change them. */
async function editable(ctx: Ctx, id: string): Promise<CannedResponse> {
  const c = await visible(ctx, id);
  if (c.ownerId === null && !isAdmin(ctx.actor)) throw forbidden('Only administrators change shared canned responses');
  return c;
}

export async function listCanned(ctx: Ctx, search?: string): Promise<CannedResponse[]> {
  return listVisibleCanned(ctx.db, agentOf(ctx).id, search);
}

export async function getCanned(ctx: Ctx, id: string): Promise<CannedResponse> {
  return visible(ctx, id);
}

export async function createCanned(ctx: Ctx, input: z.output<typeof createCannedResponseRequest>): Promise<CannedResponse> {
  const agent = agentOf(ctx);
  if (input.scope === 'shared' && !isAdmin(ctx.actor)) throw forbidden('Only administrators share canned responses; create a personal one');
  checkTemplate(input.body);
  const at = ctx.now.toISOString();
  const c: CannedResponse = { id: uuidv7(ctx.now.getTime()), title: input.title, body: input.body, ownerId: input.scope === 'shared' ? null : agent.id, createdBy: agent.id, createdAt: at, updatedAt: at };
  await inTransaction(ctx, (tx) => insertCanned(tx.db, c));
  return c;
}

export async function updateCanned(ctx: Ctx, id: string, patch: z.output<typeof updateCannedResponseRequest>): Promise<CannedResponse> {
  if (patch.body !== undefined) checkTemplate(patch.body);
  return inTransaction(ctx, async (tx) => {
    const c = await editable(tx, id);
    const next = { ...c, title: patch.title ?? c.title, body: patch.body ?? c.body, updatedAt: tx.now.toISOString() };
    await updateCannedRow(tx.db, next);
    return next;
  });
}

export async function deleteCanned(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => deleteCannedRow(tx.db, (await editable(tx, id)).id));
}

const firstName = (name: string): string => name.trim().split(/\s+/)[0] ?? '';

/**
 * Fills the placeholders for a ticket the agent can see (404 otherwise). Without a ticket only
 * the agent's own fields are filled.
 */
export async function renderCanned(ctx: Ctx, id: string, ticketNumber?: number): Promise<string> {
  const agent = agentOf(ctx);
  const c = await visible(ctx, id);
  const vars: Record<string, unknown> = { agent: { name: agent.name, firstName: firstName(agent.name), email: agent.email } };
  if (ticketNumber !== undefined) {
    const t = await getTicket(ctx, ticketNumber);
    const [requester] = await getContactsByIds(ctx, [t.requesterId]);
    vars.ticket = { number: t.number, subject: t.subject, status: t.status, priority: t.priority, type: t.type };
    vars.requester = { name: requester?.name ?? '', firstName: firstName(requester?.name ?? ''), email: requester?.emails[0] ?? '' };
  }
  return renderTemplate(c.body, vars);
}
