import type { TICKET_PRIORITIES, TICKET_STATUSES } from '../../../contracts/tickets.js';

export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/**
 * Allowed moves. Closed is final: a later customer reply opens a linked follow-up instead.
 * Leaving `resolved` for an active status is a reopen and is counted.
 */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'waiting', 'resolved', 'closed'],
  in_progress: ['open', 'waiting', 'resolved', 'closed'],
  waiting: ['open', 'in_progress', 'resolved', 'closed'],
  resolved: ['open', 'in_progress', 'waiting', 'closed'],
  closed: [],
};

export const canTransition = (from: TicketStatus, to: TicketStatus): boolean => from === to || TRANSITIONS[from].includes(to);
export const allowedTransitions = (from: TicketStatus): readonly TicketStatus[] => TRANSITIONS[from];
export const isReopen = (from: TicketStatus, to: TicketStatus): boolean => from === 'resolved' && (to === 'open' || to === 'in_progress' || to === 'waiting');
export const isActive = (s: TicketStatus): boolean => s === 'open' || s === 'in_progress' || s === 'waiting';

/**
 * The status that follows an assignment change when the caller did not set one explicitly:
 * assigning an open ticket starts work on it; unassigning a ticket in progress returns it to the queue.
 */
export function statusAfterAssignment(status: TicketStatus, assigneeId: string | null): TicketStatus {
  if (assigneeId && status === 'open') return 'in_progress';
  if (!assigneeId && status === 'in_progress') return 'open';
  return status;
}

const PRIORITY_RANK: Record<TicketPriority, number> = { low: 0, medium: 1, high: 2, urgent: 3 };
export const priorityRank = (p: TicketPriority): number => PRIORITY_RANK[p];
