import type { Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { invalidField, notFound } from '../../platform/errors.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import { countTicketsWithTag, listTagCounts, ticketIdsWithTag, type TagCount } from './tags.repository.js';
import { visibilityScope } from './tickets.policy.js';
import { findTicketsByIds } from './tickets.repository.js';
import { applyChanges } from './tickets.service.js';

/**
 * Tickets changed per batch. A rename or delete runs in ONE transaction, in keyset batches of
 * this size: one transaction because a half-renamed tag (some tickets old, some new, views and
 * rules matching neither) must never be visible and a failure must leave nothing changed;
 * batches because each ticket goes through `applyChanges` (the bulk-update path, so every ticket
 * gets its `tags_changed` event and its `ticket.updated` outbox row) and loading every ticket of
 * a tag at once would hold them all in memory and exceed SQLite's bound-parameter limit. A job
 * would avoid one long write transaction, but would show a half-done state and cannot answer
 * with the outcome; tags are on thousands of tickets, not millions, so the transaction is short.
 */
const BATCH = 200;

export interface TagChange {
  from: string;
  to: string | null;
  merged: boolean;
  tickets: number;
}

/** Tags with counts over the tickets the caller may see, the same scope as the ticket lists. */
export async function listTags(ctx: Ctx): Promise<TagCount[]> {
  requireStaff(ctx.actor);
  return listTagCounts(ctx.db, visibilityScope(ctx.actor));
}

/** Renames a tag on every ticket; when `name` is already a tag, the two are merged into it. */
export async function renameTag(ctx: Ctx, tag: string, name: string): Promise<TagChange> {
  requireAdmin(ctx.actor);
  if (name === tag) throw invalidField('body.name', 'is the current name');
  return inTransaction(ctx, async (tx) => {
    const merged = (await countTicketsWithTag(tx.db, name)) > 0;
    const tickets = await retag(tx, tag, { removeTags: [tag], addTags: [name] }, { reason: merged ? 'tag_merged' : 'tag_renamed', tag, name });
    await recordAudit(tx, merged ? 'tag.merged' : 'tag.renamed', { type: 'tag', id: tag }, { to: name, tickets });
    return { from: tag, to: name, merged, tickets };
  });
}

/** Removes a tag from every ticket. */
export async function deleteTag(ctx: Ctx, tag: string): Promise<TagChange> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const tickets = await retag(tx, tag, { removeTags: [tag] }, { reason: 'tag_deleted', tag });
    await recordAudit(tx, 'tag.deleted', { type: 'tag', id: tag }, { tickets });
    return { from: tag, to: null, merged: false, tickets };
  });
}

/**
 * A page of ids is read without locks, so under a concurrent rename or delete of the same tag
 * (PostgreSQL runs them side by side) it can name tickets that lose the tag before we lock them.
 * Hence a locked read (it reads the tags once the locks are held), skipping tickets no longer
 * carrying the tag: the later of two renames waits for the earlier, finds the tag gone and
 * answers 404 instead of adding its name beside the earlier one's.
 */
async function retag(tx: Ctx, tag: string, patch: { removeTags: string[]; addTags?: string[] }, data: Record<string, unknown>): Promise<number> {
  let after: string | null = null;
  let found = 0;
  let changed = 0;
  for (;;) {
    const ids = await ticketIdsWithTag(tx.db, tag, after, BATCH);
    if (ids.length === 0) break;
    for (const ticket of await findTicketsByIds(tx.db, ids, { lock: true })) {
      if (!ticket.tags.includes(tag)) continue;
      found += 1;
      // A tag renamed or deleted everywhere is bookkeeping: closed tickets follow too.
      if ((await applyChanges(tx, ticket, patch, data, { evenIfClosed: true })) !== ticket) changed += 1;
    }
    after = ids[ids.length - 1]!;
  }
  if (found === 0) throw notFound(`Tag "${tag}"`);
  return changed;
}
