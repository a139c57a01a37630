import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { describeImapError, fetchNewMail, ImapAuthError, type ImapCursor } from '../../platform/mail/imap-fetcher.js';
import { requireAdmin } from '../auth/index.js';
import { storeInboundMail } from './inbound-store.service.js';
import { findMailboxById, listMailboxRows, saveImapSyncState, type ImapSyncState, type Mailbox } from './mailboxes.repository.js';

export interface ImapPollRuntime {
  maxMailBytes: number;
  /** One mailbox's poll is stopped after this long, so a hanging server never holds up the rest. */
  timeoutMs: number;
  /** Messages per poll and mailbox; a big backlog is worked off over several polls. */
  batch: number;
  warn(message: string): void;
}

const CONCURRENCY = 4;
const BASE_RETRY_MS = 60_000;
const MAX_RETRY_MS = 30 * 60_000;

// Polls in flight in this process: a manual poll and the schedule never poll one mailbox at once.
const inFlight = new Map<string, Promise<ImapSyncState>>();
const warned = new Set<string>();

/**
 * Polls one mailbox: fetches what arrived after its cursor, stores each message durably
 * (`storeInboundMail`, so a message that also came by SMTP stays one message), then deletes
 * the stored ones on the server unless the mailbox keeps them. Never throws: the outcome,
 * including an authentication failure, is saved on the mailbox for the admin to see.
 * Runs outside any transaction (ctx.db is the database).
 */
export function pollMailbox(ctx: Ctx, mailbox: Mailbox, rt: ImapPollRuntime): Promise<ImapSyncState> {
  const running = inFlight.get(mailbox.id);
  if (running) return running;
  const poll = pollOnce(ctx, mailbox, rt).finally(() => inFlight.delete(mailbox.id));
  inFlight.set(mailbox.id, poll);
  return poll;
}

async function pollOnce(ctx: Ctx, m: Mailbox, rt: ImapPollRuntime): Promise<ImapSyncState> {
  const at = ctx.now.toISOString();
  const prev = m.imapSync;
  let cursor: ImapCursor = { uidValidity: prev.uidValidity, lastUid: prev.lastUid };
  const skipped: string[] = [];
  let state: ImapSyncState;
  try {
    const { host, user, password } = m.imap;
    if (!host || !user || !password) throw new Error('IMAP settings are incomplete: host, user and password are needed');
    if (m.imap.tls && !m.imap.tlsVerify && !warned.has(m.id)) {
      warned.add(m.id);
      rt.warn(`IMAP TLS certificate verification is OFF for mailbox ${m.address} (${host}): its password and mail can be intercepted`);
    }
    const account = { host, port: m.imap.port ?? (m.imap.tls ? 993 : 143), secure: m.imap.tls, tlsVerify: m.imap.tlsVerify, user, password, folder: m.imap.folder };
    const outcome = await fetchNewMail(
      account,
      cursor,
      {
        store: async (raw) => {
          await storeInboundMail(ctx, { raw, source: 'imap', mailboxId: m.id, envelope: { mailFrom: null, rcptTo: [m.address], remoteAddress: host, helo: null, tls: m.imap.tls } });
        },
        advance: (c) => (cursor = c),
        skip: (uid, reason) => skipped.push(`UID ${uid}: ${reason}`),
      },
      { maxBytes: rt.maxMailBytes, deleteAfterStore: !m.imap.keepOnServer, batch: rt.batch, timeoutMs: rt.timeoutMs },
    );
    const note = [outcome.uidValidityChanged ? 'the server reset the folder (UIDVALIDITY changed); all its messages were checked again' : '', ...skipped].filter(Boolean).join('; ');
    state = { state: 'ok', ...cursor, lastPollAt: at, lastSuccessAt: at, lastError: note || null, lastErrorAt: note ? at : null, consecutiveFailures: 0 };
  } catch (err) {
    const auth = err instanceof ImapAuthError;
    const reason = `${auth ? 'authentication failed' : 'poll failed'}: ${describeImapError(err)}`;
    state = { state: auth ? 'auth_failed' : 'error', ...cursor, lastPollAt: at, lastSuccessAt: prev.lastSuccessAt, lastError: reason, lastErrorAt: at, consecutiveFailures: prev.consecutiveFailures + 1 };
    rt.warn(`IMAP mailbox ${m.address}: ${reason}`);
  }
  const saved = state;
  await inTransaction(ctx, (tx) => saveImapSyncState(tx.db, m.id, saved));
  return state;
}

/** A failing mailbox is retried less and less often (1, 2, 4 … 30 minutes), sparing its server and its lockout rules. */
export function dueForPoll(m: Mailbox, now: Date): boolean {
  const s = m.imapSync;
  if (s.consecutiveFailures === 0 || !s.lastPollAt) return true;
  const wait = Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** (s.consecutiveFailures - 1));
  return now.getTime() - Date.parse(s.lastPollAt) >= wait;
}

/** The schedule's work: every active mailbox with IMAP on, a few at a time, each on its own. */
export async function pollAllMailboxes(ctx: Ctx, rt: ImapPollRuntime): Promise<number> {
  const due = (await listMailboxRows(ctx.db, { activeOnly: true, imapEnabledOnly: true })).filter((m) => dueForPoll(m, ctx.now));
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const m = due[next++]!;
      await pollMailbox(ctx, m, rt);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
  return due.length;
}

/** "Poll now" from the admin API: runs at once, whatever the backoff, and returns the mailbox with its new state. */
export async function pollMailboxNow(ctx: Ctx, id: string, rt: ImapPollRuntime): Promise<Mailbox> {
  requireAdmin(ctx.actor);
  const m = await findMailboxById(ctx.db, id);
  if (!m) throw notFound('Mailbox');
  if (!m.imap.host || !m.imap.user || !m.imap.password) throw badRequest('Set the IMAP host, user and password of this mailbox first', { fields: [{ path: 'imap', message: 'incomplete' }] });
  const imapSync = await pollMailbox(ctx, m, rt);
  return { ...m, imapSync };
}
