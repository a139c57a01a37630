import type { Kysely } from 'kysely';
import type { VisitorInfo } from '../../../../contracts/chat.js';
import type { AnyDb } from '../../../platform/db/database.js';
import { capabilitiesOf } from '../../../platform/db/dialect/sql.js';
import { toIso, toIsoOrNull, toJson } from '../../../platform/db/rows.js';

interface ChatTables {
  chat_sessions: {
    id: string;
    token_hash: string;
    mailbox_id: string | null;
    status: string;
    visitor_name: string | null;
    visitor_email: string | null;
    visitor_info: string;
    assignee_id: string | null;
    ticket_id: string | null;
    ticket_number: number | null;
    end_reason: string | null;
    last_seq: number;
    created_at: string;
    accepted_at: string | null;
    ended_at: string | null;
    updated_at: string;
  };
  chat_messages: {
    id: string;
    session_id: string;
    seq: number;
    author_type: string;
    author_user_id: string | null;
    author_name: string;
    body: string;
    attachment_id: string | null;
    attachment_name: string | null;
    attachment_type: string | null;
    attachment_size: number | null;
    attachment_sha256: string | null;
    client_id: string | null;
    created_at: string;
  };
  chat_agent_presence: { user_id: string; seen_at: string };
  chat_form_settings: { key: string; value: string; updated_at: string };
}
const q = (db: AnyDb) => db as unknown as Kysely<ChatTables>;

export type ChatStatus = 'waiting' | 'active' | 'ended' | 'converted';

export interface ChatSession {
  id: string;
  tokenHash: string;
  mailboxId: string | null;
  status: ChatStatus;
  visitorName: string | null;
  visitorEmail: string | null;
  visitorInfo: VisitorInfo;
  assigneeId: string | null;
  ticketId: string | null;
  ticketNumber: number | null;
  endReason: string | null;
  lastSeq: number;
  createdAt: string;
  acceptedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
}

export interface ChatAttachmentRef {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface ChatMessage {
  id: string;
  sessionId: string;
  seq: number;
  authorType: 'visitor' | 'agent' | 'system';
  authorUserId: string | null;
  authorName: string;
  body: string;
  attachment: ChatAttachmentRef | null;
  clientId: string | null;
  createdAt: string;
}

const EMPTY_INFO: VisitorInfo = { pageUrl: null, referrer: null, userAgent: null, browser: null, locale: null, ip: null };

function toSession(r: ChatTables['chat_sessions']): ChatSession {
  return {
    id: r.id,
    tokenHash: r.token_hash,
    mailboxId: r.mailbox_id,
    status: r.status as ChatStatus,
    visitorName: r.visitor_name,
    visitorEmail: r.visitor_email,
    visitorInfo: { ...EMPTY_INFO, ...toJson<Partial<VisitorInfo>>(r.visitor_info, {}) },
    assigneeId: r.assignee_id,
    ticketId: r.ticket_id,
    ticketNumber: r.ticket_number === null ? null : Number(r.ticket_number),
    endReason: r.end_reason,
    lastSeq: Number(r.last_seq),
    createdAt: toIso(r.created_at),
    acceptedAt: toIsoOrNull(r.accepted_at),
    endedAt: toIsoOrNull(r.ended_at),
    updatedAt: toIso(r.updated_at),
  };
}

function toMessage(r: ChatTables['chat_messages']): ChatMessage {
  return {
    id: r.id,
    sessionId: r.session_id,
    seq: Number(r.seq),
    authorType: r.author_type as ChatMessage['authorType'],
    authorUserId: r.author_user_id,
    authorName: r.author_name,
    body: r.body,
    attachment: r.attachment_id
      ? { id: r.attachment_id, filename: r.attachment_name ?? 'attachment', contentType: r.attachment_type ?? 'application/octet-stream', size: Number(r.attachment_size ?? 0), sha256: r.attachment_sha256 ?? '' }
      : null,
    clientId: r.client_id,
    createdAt: toIso(r.created_at),
  };
}

const sessionRow = (s: ChatSession): ChatTables['chat_sessions'] => ({
  id: s.id,
  token_hash: s.tokenHash,
  mailbox_id: s.mailboxId,
  status: s.status,
  visitor_name: s.visitorName,
  visitor_email: s.visitorEmail,
  visitor_info: JSON.stringify(s.visitorInfo),
  assignee_id: s.assigneeId,
  ticket_id: s.ticketId,
  ticket_number: s.ticketNumber,
  end_reason: s.endReason,
  last_seq: s.lastSeq,
  created_at: s.createdAt,
  accepted_at: s.acceptedAt,
  ended_at: s.endedAt,
  updated_at: s.updatedAt,
});

export async function insertChatSession(db: AnyDb, s: ChatSession): Promise<void> {
  await q(db).insertInto('chat_sessions').values(sessionRow(s)).execute();
}

export async function saveChatSession(db: AnyDb, s: ChatSession): Promise<void> {
  const { id, ...rest } = sessionRow(s);
  await q(db).updateTable('chat_sessions').set(rest).where('id', '=', id).execute();
}

export async function findChatSession(db: AnyDb, id: string, opts: { lock?: boolean } = {}): Promise<ChatSession | undefined> {
  let query = q(db).selectFrom('chat_sessions').selectAll().where('id', '=', id);
  if (opts.lock && capabilitiesOf(db).rowLocks) query = query.forUpdate();
  const r = await query.executeTakeFirst();
  return r ? toSession(r) : undefined;
}

export async function findChatSessionByTokenHash(db: AnyDb, tokenHash: string): Promise<ChatSession | undefined> {
  const r = await q(db).selectFrom('chat_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return r ? toSession(r) : undefined;
}

/** Newest first within the given statuses; the console shows at most a few hundred. */
export async function listChatSessions(db: AnyDb, statuses: ChatStatus[], limit = 200): Promise<ChatSession[]> {
  const rows = await q(db).selectFrom('chat_sessions').selectAll().where('status', 'in', statuses).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map(toSession);
}

/** Waiting chats older than the cutoff (the unanswered sweep), oldest first. */
export async function waitingSince(db: AnyDb, before: string, limit: number): Promise<string[]> {
  const rows = await q(db).selectFrom('chat_sessions').select('id').where('status', '=', 'waiting').where('created_at', '<', before).orderBy('created_at').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function insertChatMessage(db: AnyDb, m: ChatMessage): Promise<void> {
  await q(db)
    .insertInto('chat_messages')
    .values({
      id: m.id,
      session_id: m.sessionId,
      seq: m.seq,
      author_type: m.authorType,
      author_user_id: m.authorUserId,
      author_name: m.authorName,
      body: m.body,
      attachment_id: m.attachment?.id ?? null,
      attachment_name: m.attachment?.filename ?? null,
      attachment_type: m.attachment?.contentType ?? null,
      attachment_size: m.attachment?.size ?? null,
      attachment_sha256: m.attachment?.sha256 ?? null,
      client_id: m.clientId,
      created_at: m.createdAt,
    })
    .execute();
}

export async function listChatMessages(db: AnyDb, sessionId: string, afterSeq = 0): Promise<ChatMessage[]> {
  const rows = await q(db).selectFrom('chat_messages').selectAll().where('session_id', '=', sessionId).where('seq', '>', afterSeq).orderBy('seq').execute();
  return rows.map(toMessage);
}

export async function findChatMessage(db: AnyDb, id: string): Promise<ChatMessage | undefined> {
  const r = await q(db).selectFrom('chat_messages').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toMessage(r) : undefined;
}

export async function findChatMessageByClientId(db: AnyDb, sessionId: string, clientId: string): Promise<ChatMessage | undefined> {
  const r = await q(db).selectFrom('chat_messages').selectAll().where('session_id', '=', sessionId).where('client_id', '=', clientId).executeTakeFirst();
  return r ? toMessage(r) : undefined;
}

export async function touchAgentPresence(db: AnyDb, userId: string, at: string): Promise<void> {
  await q(db)
    .insertInto('chat_agent_presence')
    .values({ user_id: userId, seen_at: at })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ seen_at: at }))
    .execute();
}

export async function dropAgentPresence(db: AnyDb, userId: string): Promise<void> {
  await q(db).deleteFrom('chat_agent_presence').where('user_id', '=', userId).execute();
}

/** Agents whose console reported in since the cutoff. */
export async function agentsSeenSince(db: AnyDb, since: string): Promise<string[]> {
  const rows = await q(db).selectFrom('chat_agent_presence').select('user_id').where('seen_at', '>=', since).execute();
  return rows.map((r) => r.user_id);
}

export async function readChannelSetting(db: AnyDb, key: string): Promise<unknown> {
  const r = await q(db).selectFrom('chat_form_settings').select('value').where('key', '=', key).executeTakeFirst();
  return r ? toJson<unknown>(r.value, undefined) : undefined;
}

export async function writeChannelSetting(db: AnyDb, key: string, value: unknown, at: string): Promise<void> {
  const json = JSON.stringify(value);
  await q(db)
    .insertInto('chat_form_settings')
    .values({ key, value: json, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: at }))
    .execute();
}
