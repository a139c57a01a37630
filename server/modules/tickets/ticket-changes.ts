import type { TicketEventAction } from '../../../contracts/tickets.js';
import type { Ticket } from './tickets.repository.js';
import { canTransition, isReopen, statusAfterAssignment, type TicketPriority, type TicketStatus } from './ticket-status.js';

export interface TicketPatch {
  subject?: string | undefined;
  status?: TicketStatus | undefined;
  priority?: TicketPriority | undefined;
  type?: string | undefined;
  assigneeId?: string | null | undefined;
  groupId?: string | null | undefined;
  tags?: string[] | undefined;
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
  customFields?: Record<string, unknown> | undefined;
  spam?: boolean | undefined;
}

export interface FieldChange {
  action: TicketEventAction;
  from: unknown;
  to: unknown;
}

export type ChangeResult =
  | { ok: true; after: Ticket; changes: FieldChange[] }
  | { ok: false; from: TicketStatus; to: TicketStatus };

/** The tags a patch leaves on a ticket, sorted: `tags` replaces them, then `addTags` and `removeTags` apply. */
export function tagsAfter(current: readonly string[], patch: Pick<TicketPatch, 'tags' | 'addTags' | 'removeTags'>): string[] {
  let tags = patch.tags ? [...new Set(patch.tags)] : [...current];
  if (patch.addTags) tags = [...new Set([...tags, ...patch.addTags])];
  if (patch.removeTags) tags = tags.filter((t) => !patch.removeTags!.includes(t));
  return tags.sort();
}

/**
 * Applies a patch to a ticket: the one place that knows how status follows assignment, which
 * timestamps each status sets, and what counts as a reopen. Pure, so update, bulk and rules agree.
 */
export function applyTicketPatch(before: Ticket, patch: TicketPatch, at: string): ChangeResult {
  const after: Ticket = { ...before, tags: [...before.tags], customFields: { ...before.customFields } };
  const changes: FieldChange[] = [];
  const set = <K extends keyof Ticket>(key: K, action: TicketEventAction, value: Ticket[K]) => {
    if (JSON.stringify(after[key]) === JSON.stringify(value)) return;
    changes.push({ action, from: after[key], to: value });
    after[key] = value;
  };

  if (patch.subject !== undefined) set('subject', 'subject_changed', patch.subject);
  if (patch.priority !== undefined) set('priority', 'priority_changed', patch.priority);
  if (patch.type !== undefined) set('type', 'type_changed', patch.type);
  if (patch.groupId !== undefined) set('groupId', 'group_changed', patch.groupId);
  if (patch.assigneeId !== undefined) set('assigneeId', 'assigned', patch.assigneeId);
  if (patch.spam !== undefined) set('spam', patch.spam ? 'marked_spam' : 'unmarked_spam', patch.spam);

  const tags = tagsAfter(after.tags, patch);
  const added = tags.filter((t) => !after.tags.includes(t));
  const removed = after.tags.filter((t) => !tags.includes(t));
  if (added.length || removed.length) {
    changes.push({ action: 'tags_changed', from: after.tags, to: tags });
    after.tags = tags;
  }

  if (patch.customFields) {
    const next = { ...after.customFields };
    for (const [k, v] of Object.entries(patch.customFields)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    set('customFields', 'custom_fields_changed', next);
  }

  const target = patch.status ?? (patch.assigneeId !== undefined ? statusAfterAssignment(after.status, after.assigneeId) : after.status);
  if (target !== before.status) {
    if (!canTransition(before.status, target)) return { ok: false, from: before.status, to: target };
    changes.push({ action: 'status_changed', from: before.status, to: target });
    after.status = target;
    if (target === 'resolved') after.resolvedAt = at;
    if (target === 'closed') {
      after.closedAt = at;
      after.resolvedAt ??= at;
    }
    if (isReopen(before.status, target)) {
      after.reopenCount += 1;
      after.resolvedAt = null;
    }
  }
  if (changes.length) after.updatedAt = at;
  return { ok: true, after, changes };
}
