import type { TicketEventAction } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { invalidField } from '../../platform/errors.js';
import { listTicketEvents, type TicketEvent } from './ticket-events.repository.js';
import { getTicket } from './tickets.service.js';

/**
 * A ticket's events in [from, to]: `to` is inclusive, so the exact `at` of an event, used as
 * both ends, finds that event. A range that ends before it starts is a mistake to name, not an
 * empty history. `from` and `to` are ISO date-times as sent, in any offset and to any precision.
 */
export async function listEvents(
  ctx: Ctx,
  number: number,
  opts: { actions?: TicketEventAction[] | undefined; from?: string | undefined; to?: string | undefined; after?: { at: string; id: string } | undefined; limit: number },
): Promise<TicketEvent[]> {
  const from = opts.from === undefined ? undefined : instantOf(opts.from);
  const to = opts.to === undefined ? undefined : instantOf(opts.to);
  if (from && to && isAfter(from, to)) throw invalidField('querystring.from', 'must not be after to');
  const ticket = await getTicket(ctx, number);
  return listTicketEvents(ctx.db, {
    ticketId: ticket.id,
    ...opts,
    // Events are stored to the millisecond: a from part-way through one starts at the next, a to part-way through one keeps it.
    from: from && new Date(from.ms + (from.finer ? 1 : 0)).toISOString(),
    to: to && new Date(to.ms).toISOString(),
    customerView: ctx.actor.type === 'customer',
  });
}

interface Instant {
  /** Whole milliseconds since the epoch. */
  ms: number;
  /** The digits of the fraction beyond the millisecond, trailing zeros dropped ("" if none). */
  finer: string;
}

/**
 * Date.parse reads no further than the millisecond, so "…11.5141Z" passed for "…11.514Z": a
 * from of .5141 with a to of .514 was taken for the right way round, and found the events at .514.
 */
function instantOf(iso: string): Instant {
  const fraction = /\.(\d+)/.exec(iso);
  if (!fraction) return { ms: Date.parse(iso), finer: '' };
  const digits = fraction[1]!;
  return { ms: Date.parse(iso.replace(fraction[0], `.${digits.slice(0, 3)}`)), finer: digits.slice(3).replace(/0+$/, '') };
}

// Digit strings without trailing zeros order as the fractions they spell.
const isAfter = (a: Instant, b: Instant): boolean => a.ms > b.ms || (a.ms === b.ms && a.finer > b.finer);
