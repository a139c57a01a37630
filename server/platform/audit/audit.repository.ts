import type { Kysely } from 'kysely';
import type { AuditAction } from '../../../contracts/auth.js';
import type { Ctx } from '../context.js';
import { actorRef } from '../context.js';
import type { AnyDb } from '../db/dialect/types.js';
import { jsonParam, toIso, toJson } from '../db/rows.js';
import { uuidv7 } from '../ids.js';

interface AuditTable {
  audit_log: {
    id: string;
    actor_type: string;
    actor_id: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    data: unknown;
    ip: string | null;
    at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<AuditTable>;

export interface AuditEntry {
  id: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: Record<string, unknown>;
  ip: string | null;
  at: string;
}

/** Admin actions (settings, users, logins) for the audit log; written in the caller's transaction. */
export async function recordAudit(
  ctx: Ctx,
  action: AuditAction,
  target: { type: string; id: string } | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  const { actorType, actorId } = actorRef(ctx.actor);
  await q(ctx.db)
    .insertInto('audit_log')
    .values({
      id: uuidv7(ctx.now.getTime()),
      actor_type: actorType,
      actor_id: actorId,
      action,
      target_type: target?.type ?? null,
      target_id: target?.id ?? null,
      data: jsonParam(data),
      ip: ctx.ip ?? null,
      at: ctx.now.toISOString(),
    })
    .execute();
}

export interface AuditQuery {
  action?: AuditAction | undefined;
  actorId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: { at: string; id: string } | undefined;
  limit: number;
}

export async function listAudit(db: AnyDb, query: AuditQuery): Promise<AuditEntry[]> {
  let sel = q(db).selectFrom('audit_log').selectAll();
  if (query.action) sel = sel.where('action', '=', query.action);
  if (query.actorId) sel = sel.where('actor_id', '=', query.actorId);
  if (query.from) sel = sel.where('at', '>=', query.from);
  if (query.to) sel = sel.where('at', '<', query.to);
  if (query.before) {
    const b = query.before;
    sel = sel.where((eb) => eb.or([eb('at', '<', b.at), eb.and([eb('at', '=', b.at), eb('id', '<', b.id)])]));
  }
  const rows = await sel.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    data: toJson(r.data, {}),
    ip: r.ip,
    at: toIso(r.at),
  }));
}
