import { isImported, type EventPayload } from '../../../contracts/events.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { toIso } from '../../platform/db/rows.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import type { AnyDb } from '../../platform/db/database.js';
import { getMessageSummaries } from '../messages/index.js';
import { refreshTicketSla, refreshTicketsSla } from './ticket-sla.service.js';

/**
 * The clocks follow the tickets: created (policy chosen), changed (policy chosen again,
 * priority re-timed, paused while waiting, resumed after), and messages (a public agent reply
 * meets first/next response; a customer message starts a next-response episode). Imported
 * history is replayed the same way but arms no alarm; `ticket.imported` settles the clock once
 * the whole history is in, so an old ticket never breaches (and alerts) the moment it arrives.
 */
export function registerSlaSubscribers(events: EventDispatcher): void {
  const ctxOf = (event: { id: string; createdAt: string | Date }, db: AnyDb): Ctx => ({ actor: systemActor('sla'), requestId: event.id, now: new Date(toIso(event.createdAt)), db, events });
  const replay = (payload: unknown) => (isImported(payload) ? { history: 'replay' as const } : {});

  // New tickets come in runs (a batch create's, a busy minute's): their clocks start together.
  events.subscribeRun('ticket.created', async (run, db) => {
    const refreshes = run.map((event) => {
      const p = event.payload as EventPayload<'ticket.created'>;
      return { ticketId: p.ticketId, now: new Date(toIso(event.createdAt)), opts: { rematch: true, ...replay(p) } };
    });
    await refreshTicketsSla(ctxOf(run[0]!, db), refreshes);
  });
  events.subscribe('ticket.updated', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.updated'>;
    await refreshTicketSla(ctxOf(event, db), p.ticketId, { rematch: true, ...replay(p) });
  });
  // Both sides change: the merge target takes the source's tags and messages, the split
  // original gives some up, so the policy that matches either may change too.
  events.subscribe('ticket.merged', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.merged'>;
    for (const id of [p.ticketId, p.intoTicketId]) await refreshTicketSla(ctxOf(event, db), id, { rematch: true, ...replay(p) });
  });
  events.subscribe('ticket.split', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.split'>;
    for (const id of [p.ticketId, p.fromTicketId]) await refreshTicketSla(ctxOf(event, db), id, { rematch: true, ...replay(p) });
  });
  events.subscribe('ticket.imported', async (event, db) => {
    const p = event.payload as EventPayload<'ticket.imported'>;
    await refreshTicketSla(ctxOf(event, db), p.ticketId, { rematch: true, history: 'settle' });
  });
  events.subscribe('message.created', async (event, db) => {
    const p = event.payload as EventPayload<'message.created'>;
    // A ticket's opening customer message starts no episode: ticket.created set its clocks.
    if (p.kind === 'note' || (p.kind === 'customer' && p.opening)) return;
    const ctx = ctxOf(event, db);
    const at = p.at ?? (await getMessageSummaries(ctx, [p.messageId]))[0]?.createdAt ?? ctx.now.toISOString();
    await refreshTicketSla(ctx, p.ticketId, { ...(p.kind === 'customer' ? { customerMessageAt: at } : { agentReplyAt: at }), ...replay(p) });
  });
}
