import type { z } from 'zod';
import type { createNoticeRequest, NoticeResponse, updateNoticeRequest } from '../../../contracts/workspace.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { findUsersByIds, requireAdmin, requireStaff } from '../auth/index.js';
import { deleteNoticeRow, findNotice, insertNotice, listNoticeRows, updateNoticeRow, type Notice } from './notices.repository.js';

/** The internal notice board shown at the top of the workspace: staff read it, admins write it. */
export async function listNotices(ctx: Ctx, include: 'active' | 'all'): Promise<Notice[]> {
  requireStaff(ctx.actor);
  if (include === 'all') requireAdmin(ctx.actor);
  return listNoticeRows(ctx.db, include === 'all' ? null : ctx.now.toISOString());
}

export async function postNotice(ctx: Ctx, input: z.output<typeof createNoticeRequest>): Promise<Notice> {
  requireAdmin(ctx.actor);
  const at = ctx.now.toISOString();
  const notice: Notice = {
    id: uuidv7(ctx.now.getTime()),
    title: input.title,
    body: input.body,
    pinned: input.pinned,
    expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    authorId: ctx.actor.type === 'user' ? ctx.actor.id : null,
    createdAt: at,
    updatedAt: at,
  };
  return inTransaction(ctx, async (tx) => {
    await insertNotice(tx.db, notice);
    await emit(tx, 'notice.changed', { noticeId: notice.id });
    await recordAudit(tx, 'notice.created', { type: 'notice', id: notice.id }, { title: notice.title });
    return notice;
  });
}

export async function changeNotice(ctx: Ctx, id: string, patch: z.output<typeof updateNoticeRequest>): Promise<Notice> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await findNotice(tx.db, id);
    if (!before) throw notFound('Notice');
    const expiresAt = patch.expiresAt === undefined ? before.expiresAt : patch.expiresAt === null ? null : new Date(patch.expiresAt).toISOString();
    const after: Notice = { ...before, title: patch.title ?? before.title, body: patch.body ?? before.body, pinned: patch.pinned ?? before.pinned, expiresAt, updatedAt: tx.now.toISOString() };
    await updateNoticeRow(tx.db, after);
    await emit(tx, 'notice.changed', { noticeId: id });
    await recordAudit(tx, 'notice.updated', { type: 'notice', id }, { title: after.title, changed: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined) });
    return after;
  });
}

export async function removeNotice(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const notice = await findNotice(tx.db, id);
    if (!notice) throw notFound('Notice');
    await deleteNoticeRow(tx.db, id);
    await emit(tx, 'notice.changed', { noticeId: id });
    await recordAudit(tx, 'notice.deleted', { type: 'notice', id }, { title: notice.title });
  });
}

export async function presentNotices(ctx: Ctx, notices: Notice[]): Promise<NoticeResponse[]> {
  if (ctx.actor.type === 'customer') throw forbidden();
  const names = new Map((await findUsersByIds(ctx.db, notices.map((n) => n.authorId).filter((x): x is string => x !== null))).map((u) => [u.id, u.name]));
  return notices.map((n) => ({
    id: n.id,
    title: n.title,
    body: n.body,
    pinned: n.pinned,
    expiresAt: n.expiresAt,
    author: n.authorId ? { id: n.authorId, name: names.get(n.authorId) ?? 'Unknown' } : null,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
  }));
}
