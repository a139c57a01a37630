import type { z } from 'zod';
import { PREDEFINED_VIEW_IDS, type createViewRequest, type updateViewRequest, type viewResponse } from '../../../contracts/tickets.js';

type PredefinedViewId = (typeof PREDEFINED_VIEW_IDS)[number];
import type { Ctx } from '../../platform/context.js';
import { dataVersionOf } from '../../platform/db/dialect/data-version.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, forbidden, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { countView, validateQuery } from './ticket-filter.js';
import { visibilityScope } from './tickets.policy.js';
import { deleteViewRow, findView, insertView, listVisibleViews, updateViewRow, type SavedView } from './views.repository.js';

type ViewResponse = z.infer<typeof viewResponse>;
const DEFAULT_COLUMNS = ['number', 'subject', 'requester', 'status', 'priority', 'assignee', 'updated'] as const;

/** The built-in sidebar views; each is a plain filter expression, like a saved view. */
export const PREDEFINED_VIEWS: readonly { id: PredefinedViewId; name: string; query: string }[] = [
  { id: 'my_open', name: 'My open tickets', query: 'assignee:me is:open' },
  { id: 'my_in_progress', name: 'My tickets in progress', query: 'assignee:me status:in_progress' },
  { id: 'my_waiting', name: 'My tickets waiting', query: 'assignee:me status:waiting' },
  { id: 'my_resolved', name: 'My resolved tickets', query: 'assignee:me status:resolved' },
  { id: 'my_closed', name: 'My closed tickets', query: 'assignee:me status:closed' },
  { id: 'unassigned', name: 'Unassigned', query: 'assignee:none is:open' },
  { id: 'all_open', name: 'All open', query: 'is:open' },
  { id: 'my_groups', name: 'My groups', query: 'group:mine is:open' },
  { id: 'starred', name: 'Starred', query: 'is:starred' },
  { id: 'spam', name: 'Spam', query: 'is:spam' },
  { id: 'overdue', name: 'Overdue (SLA)', query: 'is:open sla:overdue' },
  // Tickets handed to an external issue tracker carry this tag (integrations module), whatever their status.
  { id: 'transferred', name: 'Transferred', query: 'tag:transferred' },
];

function staffOnly(ctx: Ctx): string {
  if (ctx.actor.type !== 'user') throw forbidden('Views belong to agents');
  return ctx.actor.id;
}

const present = (v: SavedView): ViewResponse => ({
  id: v.id,
  name: v.name,
  predefined: false,
  shared: v.shared,
  ownerId: v.ownerId,
  query: v.query,
  columns: v.columns as ViewResponse['columns'],
  sort: v.sort,
});

/** Finds a view by predefined id or saved id, as the actor may use it. */
export async function resolveView(ctx: Ctx, id: string): Promise<{ id: string; name: string; query: string; sort: SavedView['sort'] }> {
  const pre = PREDEFINED_VIEWS.find((v) => v.id === id);
  if (pre) return { ...pre, sort: 'updated_desc' };
  const userId = staffOnly(ctx);
  const saved = /^[0-9a-f-]{36}$/i.test(id) ? await findView(ctx.db, id) : undefined;
  if (!saved || (!saved.shared && saved.ownerId !== userId)) throw notFound('View');
  return { id: saved.id, name: saved.name, query: saved.query, sort: saved.sort };
}

/**
 * Predefined views whose count is the same for every agent who sees all tickets and does not
 * move with the clock. Every agent's sidebar asks for them on every change, and at a million
 * tickets "all open" alone takes milliseconds to count: while nothing has been committed since,
 * the last count is the answer.
 */
const SHARED_COUNTS = new Set(['all_open', 'unassigned', 'spam', 'transferred']);
const sharedCounts = new WeakMap<object, Map<string, { version: string; count: number }>>();

async function countPredefined(ctx: Ctx, id: string, query: string, version: string | null): Promise<number> {
  if (version === null || !SHARED_COUNTS.has(id)) return countView(ctx, query);
  let counts = sharedCounts.get(ctx.db);
  if (!counts) sharedCounts.set(ctx.db, (counts = new Map()));
  const kept = counts.get(id);
  if (kept?.version === version) return kept.count;
  const count = await countView(ctx, query);
  counts.set(id, { version, count });
  return count;
}

export async function listViews(ctx: Ctx, opts: { counts: boolean }): Promise<ViewResponse[]> {
  const userId = staffOnly(ctx);
  const predefined: ViewResponse[] = PREDEFINED_VIEWS.map((v) => ({ ...v, predefined: true, shared: true, ownerId: null, columns: [...DEFAULT_COLUMNS], sort: 'updated_desc' }));
  const saved = (await listVisibleViews(ctx.db, userId)).map(present);
  const all = [...predefined, ...saved];
  if (!opts.counts) return all;
  // Read before counting (see dataVersionOf), once for all the shared counts.
  const version = visibilityScope(ctx.actor) === null ? await dataVersionOf(ctx.db) : null;
  // In parallel: on PostgreSQL each count takes its own pooled connection; SQLite serialises them anyway.
  const counts = await Promise.all(all.map((v) => (v.predefined ? countPredefined(ctx, v.id, v.query, version) : savedCount(ctx, v.query))));
  all.forEach((v, i) => {
    if (counts[i] !== null) v.count = counts[i];
  });
  return all;
}

/**
 * A saved view's count, or null when its filter no longer resolves (a group, user or custom-field
 * option it names was deleted since): that view goes without a count, and opening it says what
 * is wrong, while every other view of the sidebar still counts.
 */
async function savedCount(ctx: Ctx, query: string): Promise<number | null> {
  try {
    return await countView(ctx, query);
  } catch (err) {
    if (err instanceof AppError && err.code === 'filter_syntax') return null;
    throw err;
  }
}

export async function createView(ctx: Ctx, input: z.output<typeof createViewRequest>): Promise<ViewResponse> {
  const userId = staffOnly(ctx);
  if (input.shared && ctx.actor.type === 'user' && ctx.actor.role === 'agent') throw forbidden('Only supervisors and admins share views');
  await validateQuery(ctx, input.query);
  const view: SavedView = { id: uuidv7(ctx.now.getTime()), ownerId: userId, ...input };
  await inTransaction(ctx, (tx) => insertView(tx.db, view, tx.now.toISOString()));
  return present(view);
}

async function ownView(ctx: Ctx, id: string): Promise<SavedView> {
  const userId = staffOnly(ctx);
  if ((PREDEFINED_VIEW_IDS as readonly string[]).includes(id)) throw forbidden(`"${id}" is a predefined view and cannot be changed; save a view of your own with its filter instead`);
  const view = await findView(ctx.db, id);
  if (!view || (!view.shared && view.ownerId !== userId)) throw notFound('View');
  const admin = ctx.actor.type === 'user' && (ctx.actor.role === 'admin' || ctx.actor.role === 'supervisor');
  if (view.ownerId !== userId && !admin) throw forbidden('Only the owner or a supervisor may change this view');
  return view;
}

export async function updateView(ctx: Ctx, id: string, input: z.output<typeof updateViewRequest>): Promise<ViewResponse> {
  const view = await ownView(ctx, id);
  if (input.shared && ctx.actor.type === 'user' && ctx.actor.role === 'agent') throw forbidden('Only supervisors and admins share views');
  if (input.query !== undefined) await validateQuery(ctx, input.query);
  const next: SavedView = { ...view, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  await inTransaction(ctx, (tx) => updateViewRow(tx.db, next, tx.now.toISOString()));
  return present(next);
}

export async function deleteView(ctx: Ctx, id: string): Promise<void> {
  await ownView(ctx, id);
  await inTransaction(ctx, (tx) => deleteViewRow(tx.db, id));
}
