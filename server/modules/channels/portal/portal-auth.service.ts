import { createHash } from 'node:crypto';
import type { Actor, Ctx } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { AppError } from '../../../platform/errors.js';
import { randomToken, uuidv7 } from '../../../platform/ids.js';
import { enqueue } from '../../../platform/jobs/define-job.js';
import { findOrCreateContactByEmail, getContactsByIds, type Contact } from '../../contacts/index.js';
import { findMailboxById, listMailboxRows, type Mailbox } from '../mailboxes.repository.js';
import { sendPortalLinkShape } from './portal-mail.job.js';
import { consumeSignInLink, countRecentLinks, deletePortalSession, findPortalSession, insertPortalSession, insertSignInLink, setLinkContact, type PortalSession } from './portal.repository.js';
import { portalSettings } from './portal-settings.service.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
/** Links per address per hour: enough for a lost mail or two, not enough to flood an inbox. */
const LINKS_PER_HOUR = 5;

/** The mailbox a portal page or mail is branded with: the one asked for when active, else the first active one. */
export async function brandMailbox(ctx: Ctx, mailboxId: string | null | undefined): Promise<Mailbox | null> {
  if (mailboxId) {
    const m = await findMailboxById(ctx.db, mailboxId);
    if (m?.active) return m;
  }
  return (await listMailboxRows(ctx.db, { activeOnly: true }))[0] ?? null;
}

/**
 * Queues a sign-in mail. The answer is the same whether or not the address is known, so the
 * form tells nobody who is a customer; the contact is found or made only when the link is used.
 */
export async function requestSignInLink(ctx: Ctx, input: { email: string; mailboxId?: string | undefined; portalUrl: string }): Promise<void> {
  const email = input.email.trim().toLowerCase();
  await inTransaction(ctx, async (tx) => {
    const since = new Date(tx.now.getTime() - 3600_000).toISOString();
    if ((await countRecentLinks(tx.db, email, since)) >= LINKS_PER_HOUR) return;
    const settings = await portalSettings(tx);
    const mailbox = await brandMailbox(tx, input.mailboxId);
    const token = randomToken(32);
    const id = uuidv7(tx.now.getTime());
    const expiresAt = new Date(tx.now.getTime() + settings.linkMinutes * 60_000).toISOString();
    await insertSignInLink(tx.db, { id, tokenHash: sha256(token), email, mailboxId: mailbox?.id ?? null, expiresAt, createdAt: tx.now.toISOString() });
    // The token rides in the fragment: it never reaches a server log or a Referer, and a mail
    // scanner that fetches the page does not use it up (signing in is a POST made by the page).
    const query = mailbox ? `?mailbox=${mailbox.id}` : '';
    const link = `${input.portalUrl}/portal/${query}#token=${token}`;
    await enqueue(tx, sendPortalLinkShape, { linkId: id, email, link, mailboxId: mailbox?.id ?? null, minutes: settings.linkMinutes }, { uniqueKey: `portal-link:${id}` });
  });
}

export interface PortalSignIn {
  sessionToken: string;
  session: PortalSession;
  contact: Contact;
}

/** Uses a link once: a second use, an unknown or an expired token are all the same refusal. */
export async function signInWithLink(ctx: Ctx, token: string): Promise<PortalSignIn> {
  return inTransaction(ctx, async (tx) => {
    const link = await consumeSignInLink(tx.db, sha256(token), tx.now.toISOString());
    if (!link) throw new AppError('sign_in_link_invalid', 'This sign-in link is not valid any more; ask for a new one');
    const { contact } = await findOrCreateContactByEmail(tx, link.email);
    await setLinkContact(tx.db, link.id, contact.id);
    const settings = await portalSettings(tx);
    const sessionToken = randomToken(32);
    const session: PortalSession = {
      id: sha256(sessionToken),
      contactId: contact.id,
      csrfToken: randomToken(24),
      mailboxId: link.mailboxId,
      expiresAt: new Date(tx.now.getTime() + settings.sessionHours * 3600_000).toISOString(),
    };
    await insertPortalSession(tx.db, { ...session, createdAt: tx.now.toISOString() });
    return { sessionToken, session, contact };
  });
}

export interface PortalAuth {
  actor: Extract<Actor, { type: 'customer' }>;
  session: PortalSession;
  contact: Contact;
}

/**
 * The customer behind a portal cookie, as the customer actor every service already knows: the
 * tickets policy limits them to their own tickets (and their organization's when allowed).
 */
export async function authenticatePortal(ctx: Ctx, sessionToken: string): Promise<PortalAuth | null> {
  const session = await findPortalSession(ctx.db, sha256(sessionToken));
  if (!session) return null;
  if (session.expiresAt <= ctx.now.toISOString()) {
    await deletePortalSession(ctx.db, session.id);
    return null;
  }
  const [contact] = await getContactsByIds(ctx, [session.contactId]);
  if (!contact) return null;
  const settings = await portalSettings(ctx);
  const actor: PortalAuth['actor'] = {
    type: 'customer',
    // Customers of the portal have no user row; their contact id names them in events and uploads.
    id: contact.id,
    name: contact.name || contact.emails[0] || 'Customer',
    email: contact.emails[0] ?? '',
    contactId: contact.id,
    organizationId: contact.organizationId,
    seeOrganization: settings.allowOrganization && contact.organizationId !== null,
  };
  return { actor, session, contact };
}

export async function signOutPortal(ctx: Ctx, sessionToken: string): Promise<void> {
  await deletePortalSession(ctx.db, sha256(sessionToken));
}
