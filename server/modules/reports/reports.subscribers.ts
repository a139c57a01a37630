import type { EventPayload } from '../../../contracts/events.js';
import { withSavepoint } from '../../platform/db/dialect/durable.js';
import type { EventDispatcher } from '../../platform/events/dispatcher.js';
import { refreshTicketRollups } from './rollups.service.js';
import { recordSlaEvent, upsertCsat } from './sla-csat.repository.js';

/**
 * Reports keep their own copies of SLA and CSAT outcomes, written from the events of the sla
 * and csat modules (same tier, so events, not imports). Idempotent: a redelivered event
 * writes the same row.
 */
export function registerReportSubscribers(events: EventDispatcher): void {
  // Any change of a ticket moves its contribution to the daily rollups (recomputed from its row):
  // the batch's tickets together, each once however many events it had (a new ticket is two:
  // created and message). A reply moves the first response and the agent's replies; a rating
  // moves the CSAT flags; a time entry logged, changed or deleted moves the time cells; a tag
  // change is a ticket.updated. One ticket's failure leaves the others' refresh in place.
  const touching = ['ticket.created', 'ticket.updated', 'ticket.status_changed', 'ticket.assigned', 'ticket.merged', 'ticket.split', 'ticket.deleted', 'message.created', 'ticket.time_logged', 'csat.rated'] as const;
  events.subscribeBatch(touching, async (batch, db) => {
    const ticketIds = [...new Set(batch.map((e) => (e.payload as { ticketId: string }).ticketId))];
    try {
      await withSavepoint(db, 'rollups', () => refreshTicketRollups(db, ticketIds));
      return;
    } catch (err) {
      if (ticketIds.length === 1) throw err;
    }
    // Something failed: each ticket again on its own, so the others' refresh stays in place.
    let failure: unknown = null;
    for (const ticketId of ticketIds) {
      try {
        await withSavepoint(db, 'rollup', () => refreshTicketRollups(db, [ticketId]));
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  });
  // The rating itself first (the refresh above runs after every per-event subscriber).
  events.subscribe('csat.rated', async (event, db) => {
    const p = event.payload as EventPayload<'csat.rated'>;
    await upsertCsat(db, { ticketId: p.ticketId, rating: p.rating, scale: p.scale, hasComment: !!p.comment?.trim(), at: new Date(event.createdAt).toISOString() });
  });
  for (const kind of ['warning', 'breached'] as const) {
    events.subscribe(`sla.${kind}`, async (event, db) => {
      const p = event.payload as EventPayload<'sla.warning'>;
      await recordSlaEvent(db, { ticketId: p.ticketId, kind, target: p.target, dueAt: p.dueAt, policyId: p.policyId, at: new Date(event.createdAt).toISOString() });
    });
  }
}
