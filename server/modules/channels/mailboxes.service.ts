import type { z } from 'zod';
import type { createMailboxRequest, updateMailboxRequest } from '../../../contracts/mail.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import type { AnyDb } from '../../platform/db/database.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, invalidField, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { listGroups, requireAdmin } from '../auth/index.js';
import { countInboundForMailbox } from './inbound.repository.js';
import { deleteMailboxRow, findMailboxByAddress, findMailboxById, insertMailbox, listMailboxRows, updateMailboxSettings, type ImapSettings, type Mailbox } from './mailboxes.repository.js';
import { splitPlusAddress } from './reply-token.js';

async function assertGroup(ctx: Ctx, groupId: string | null | undefined): Promise<void> {
  if (groupId && (await listGroups(ctx.db, [groupId])).length === 0) throw invalidField('defaultGroupId', 'unknown group');
}

function assertImapComplete(imap: ImapSettings): void {
  if (!imap.enabled) return;
  for (const key of ['host', 'user', 'password'] as const) {
    if (!imap[key]) throw invalidField(`imap.${key}`, 'is required when IMAP polling is enabled');
  }
}

/** Field names that changed, for the audit log; the password only as "changed", never its value. */
function changedFields(before: Mailbox, after: Mailbox): string[] {
  const flat = (m: Mailbox): Record<string, unknown> => ({
    address: m.address,
    displayName: m.displayName,
    brand: JSON.stringify(m.brand),
    defaultGroupId: m.defaultGroupId,
    active: m.active,
    ...Object.fromEntries(Object.entries(m.imap).map(([k, v]) => [`imap.${k}`, v])),
  });
  const a = flat(before);
  const b = flat(after);
  return Object.keys(b).filter((k) => a[k] !== b[k]);
}

export async function listMailboxes(ctx: Ctx): Promise<Mailbox[]> {
  requireAdmin(ctx.actor);
  return listMailboxRows(ctx.db);
}

export async function getMailbox(ctx: Ctx, id: string): Promise<Mailbox> {
  requireAdmin(ctx.actor);
  const m = await findMailboxById(ctx.db, id);
  if (!m) throw notFound('Mailbox');
  return m;
}

export async function createMailbox(ctx: Ctx, input: z.output<typeof createMailboxRequest>): Promise<Mailbox> {
  requireAdmin(ctx.actor);
  return afterChange(inTransaction(ctx, async (tx) => {
    await assertGroup(tx, input.defaultGroupId);
    const at = tx.now.toISOString();
    const imap: ImapSettings = input.imap ?? { host: null, port: null, tls: true, tlsVerify: true, user: null, password: null, folder: 'INBOX', keepOnServer: true, enabled: false };
    assertImapComplete(imap);
    const mailbox: Mailbox = {
      id: uuidv7(tx.now.getTime()),
      address: input.address.toLowerCase(),
      displayName: input.displayName,
      brand: input.brand,
      defaultGroupId: input.defaultGroupId,
      active: input.active,
      imap,
      imapSync: { state: 'idle', uidValidity: null, lastUid: null, lastPollAt: null, lastSuccessAt: null, lastError: null, lastErrorAt: null, consecutiveFailures: 0 },
      createdAt: at,
      updatedAt: at,
    };
    if (!(await insertMailbox(tx.db, mailbox))) throw conflict(`A mailbox for ${mailbox.address} already exists`, { field: 'address' });
    await recordAudit(tx, 'mailbox.created', { type: 'mailbox', id: mailbox.id }, { address: mailbox.address, imapEnabled: imap.enabled });
    return mailbox;
  }));
}

export async function updateMailbox(ctx: Ctx, id: string, input: z.output<typeof updateMailboxRequest>): Promise<Mailbox> {
  requireAdmin(ctx.actor);
  return afterChange(inTransaction(ctx, async (tx) => {
    const before = await findMailboxById(tx.db, id);
    if (!before) throw notFound('Mailbox');
    if (input.defaultGroupId !== undefined) await assertGroup(tx, input.defaultGroupId);
    const imapPatch = Object.fromEntries(Object.entries(input.imap ?? {}).filter(([, v]) => v !== undefined)) as Partial<ImapSettings>;
    const after: Mailbox = {
      ...before,
      address: input.address?.toLowerCase() ?? before.address,
      displayName: input.displayName ?? before.displayName,
      brand: { ...before.brand, ...Object.fromEntries(Object.entries(input.brand ?? {}).filter(([, v]) => v !== undefined)) },
      defaultGroupId: input.defaultGroupId === undefined ? before.defaultGroupId : input.defaultGroupId,
      active: input.active ?? before.active,
      imap: { ...before.imap, ...imapPatch },
      updatedAt: tx.now.toISOString(),
    };
    assertImapComplete(after.imap);
    if (after.address !== before.address) {
      const taken = await findMailboxByAddress(tx.db, after.address);
      if (taken) throw conflict(`A mailbox for ${after.address} already exists`, { field: 'address' });
    }
    const changed = changedFields(before, after);
    if (changed.length === 0) return before;
    await updateMailboxSettings(tx.db, after);
    await recordAudit(tx, 'mailbox.updated', { type: 'mailbox', id }, { address: after.address, changed });
    return after;
  }));
}

export async function deleteMailbox(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  await afterChange(inTransaction(ctx, async (tx) => {
    const m = await findMailboxById(tx.db, id);
    if (!m) throw notFound('Mailbox');
    // Stored mail names its mailbox; such a mailbox is deactivated instead, keeping history whole.
    if ((await countInboundForMailbox(tx.db, id)) > 0) throw conflict('This mailbox has received mail; deactivate it (active: false) instead of deleting it');
    await deleteMailboxRow(tx.db, id);
    await recordAudit(tx, 'mailbox.deleted', { type: 'mailbox', id }, { address: m.address });
  }));
}

/** Changes of mailboxes made by this process; recipient routes cached before one are read again. */
let changes = 0;

async function afterChange<T>(committed: Promise<T>): Promise<T> {
  const result = await committed;
  changes += 1;
  return result;
}

/** How long a known recipient route is trusted without a change seen here (another process may have made one). */
const ROUTE_TRUST_MS = 5000;

/**
 * Recipient checks for a mail listener: RCPT TO is asked for every message, and the answer
 * rarely changes. Known routes are kept until this process changes a mailbox, or for a few
 * seconds; unknown addresses are always read again, so a new mailbox takes mail at once.
 */
export function mailboxRouter(db: AnyDb): (recipient: string) => Promise<string | null> {
  const known = new Map<string, { id: string; changes: number; at: number }>();
  return async (recipient) => {
    const { base } = splitPlusAddress(recipient);
    const hit = known.get(base);
    if (hit && hit.changes === changes && performance.now() - hit.at < ROUTE_TRUST_MS) return hit.id;
    const seen = changes;
    const mailbox = await activeMailboxFor(db, base);
    if (mailbox) known.set(base, { id: mailbox.id, changes: seen, at: performance.now() });
    else known.delete(base);
    return mailbox?.id ?? null;
  };
}

/**
 * The active mailbox a recipient address belongs to: the mailbox address itself or any
 * `+tag` variant of it (reply addresses). Undefined for anything else.
 */
export async function activeMailboxFor(db: AnyDb, recipient: string): Promise<Mailbox | undefined> {
  const { base } = splitPlusAddress(recipient);
  const m = await findMailboxByAddress(db, base);
  return m && m.active ? m : undefined;
}
