import type { z } from 'zod';
import type { createContactRequest, createOrganizationRequest, updateContactRequest, updateOrganizationRequest } from '../../../contracts/contacts.js';
import type { Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { forgetInTransaction, onceInTransaction } from '../../platform/db/transaction-memo.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, invalidField, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import {
  claimIdentities,
  contactIdsByEmails,
  deleteContactRows,
  deleteOrganizationRow,
  findContactIdByIdentity,
  findContactsByIds,
  findIdentityOwners,
  findOrganizationByName,
  findOrganizationsByIds,
  insertContact,
  insertContacts,
  insertOrganization,
  listContactPage,
  listOrganizationRows,
  replaceIdentities,
  updateContactRow,
  updateOrganizationRow,
  type Contact,
  type Organization,
} from './contacts.repository.js';

/** Phone numbers are matched on digits (and a leading +), whatever the formatting. */
export const normalizePhone = (p: string): string => (p.trim().startsWith('+') ? '+' : '') + p.replace(/\D/g, '');
export const normalizeEmail = (e: string): string => e.trim().toLowerCase();

async function assertIdentitiesFree(ctx: Ctx, emails: string[], phones: string[], exceptId?: string): Promise<void> {
  const takenEmails = await findIdentityOwners(ctx.db, 'email', emails, exceptId);
  if (takenEmails.length) throw conflict(`Email ${takenEmails[0]!.value} already belongs to another contact`, { field: 'emails', contactId: takenEmails[0]!.contactId });
  const takenPhones = await findIdentityOwners(ctx.db, 'phone', phones, exceptId);
  if (takenPhones.length) throw conflict(`Phone ${takenPhones[0]!.value} already belongs to another contact`, { field: 'phones', contactId: takenPhones[0]!.contactId });
}

async function assertOrganization(ctx: Ctx, id: string | null | undefined): Promise<void> {
  if (id && (await findOrganizationsByIds(ctx.db, [id])).length === 0) throw invalidField('organizationId', 'unknown organization');
}

// Read once per transaction for the contacts it creates; the organization writes below forget it.
const ORGANIZATIONS = 'contacts:organizations';

async function organizationForEmail(ctx: Ctx, email: string | undefined): Promise<string | null> {
  const domain = email?.split('@')[1];
  if (!domain) return null;
  const orgs = await onceInTransaction(ctx.db, ORGANIZATIONS, () => listOrganizationRows(ctx.db));
  return orgs.find((o) => o.domains.includes(domain))?.id ?? null;
}

export async function createContact(ctx: Ctx, input: z.output<typeof createContactRequest>): Promise<Contact> {
  requireStaff(ctx.actor);
  // A contact with nothing to tell it by is junk nobody can find again (an unknown sender
  // becomes a contact through insertNewContact, which always has an address or number).
  if (!input.name && input.emails.length === 0 && input.phones.length === 0) throw invalidField('name', 'give a name, an email address or a phone number');
  return inTransaction(ctx, (tx) => insertNewContact(tx, input));
}

async function insertNewContact(ctx: Ctx, input: z.output<typeof createContactRequest>): Promise<Contact> {
  const emails = [...new Set(input.emails.map(normalizeEmail))];
  const phones = [...new Set(input.phones.map(normalizePhone))];
  await assertIdentitiesFree(ctx, emails, phones);
  await assertOrganization(ctx, input.organizationId);
  const at = ctx.now.toISOString();
  const contact: Contact = {
    id: uuidv7(ctx.now.getTime()),
    name: input.name || emails[0]?.split('@')[0] || phones[0] || 'Unknown',
    emails,
    phones,
    organizationId: input.organizationId ?? (await organizationForEmail(ctx, emails[0])),
    vip: input.vip,
    notes: input.notes,
    createdAt: at,
    updatedAt: at,
  };
  await insertContact(ctx.db, contact);
  const newId = () => uuidv7(ctx.now.getTime());
  await replaceIdentities(ctx.db, contact.id, 'email', emails, at, newId);
  await replaceIdentities(ctx.db, contact.id, 'phone', phones, at, newId);
  return contact;
}

/**
 * The requester of a new ticket: the contact owning this email, or a new contact. Callers are
 * already inside the ticket's transaction.
 */
export async function findOrCreateContactByEmail(ctx: Ctx, email: string, name?: string): Promise<{ contact: Contact; created: boolean }> {
  const normalized = normalizeEmail(email);
  const id = await findContactIdByIdentity(ctx.db, 'email', normalized);
  const [found] = id ? await findContactsByIds(ctx.db, [id]) : [];
  if (found) return { contact: found, created: false };
  return (await createContactsForEmails(ctx, new Map([[normalized, name]]))).get(normalized)!;
}

/**
 * A contact for each (normalised, unclaimed) address, written set-wise. Addresses are claimed in
 * sorted order: two batches claiming [a, b] and [b, a] at once on PostgreSQL would each hold one
 * unique-index entry and wait for the other's. An address another transaction claimed meanwhile
 * (two messages from a new customer at once) goes to the winner's contact, and ours is dropped.
 */
async function createContactsForEmails(ctx: Ctx, names: ReadonlyMap<string, string | undefined>): Promise<Map<string, { contact: Contact; created: boolean }>> {
  const at = ctx.now.toISOString();
  const contacts: Contact[] = [];
  for (const email of [...names.keys()].sort()) {
    contacts.push({
      id: uuidv7(ctx.now.getTime()),
      name: names.get(email)?.trim() || email.split('@')[0]!,
      emails: [email],
      phones: [],
      organizationId: await organizationForEmail(ctx, email),
      vip: false,
      notes: '',
      createdAt: at,
      updatedAt: at,
    });
  }
  await insertContacts(ctx.db, contacts);
  const claimed = await claimIdentities(ctx.db, contacts.map((c) => ({ id: uuidv7(ctx.now.getTime()), contactId: c.id, kind: 'email' as const, value: c.emails[0]!, at })));
  const out = new Map<string, { contact: Contact; created: boolean }>();
  const lost = contacts.filter((c) => !claimed.has(c.emails[0]!));
  for (const c of contacts) if (claimed.has(c.emails[0]!)) out.set(c.emails[0]!, { contact: c, created: true });
  if (lost.length === 0) return out;
  await deleteContactRows(ctx.db, lost.map((c) => c.id));
  const ids = await contactIdsByEmails(ctx.db, lost.map((c) => c.emails[0]!));
  const winners = new Map((await findContactsByIds(ctx.db, [...ids.values()])).map((c) => [c.id, c]));
  for (const c of lost) {
    const winner = winners.get(ids.get(c.emails[0]!) ?? '');
    if (!winner) throw new Error(`contact for ${c.emails[0]} vanished`);
    out.set(c.emails[0]!, { contact: winner, created: false });
  }
  return out;
}

/**
 * The contacts of many addresses at once (a batch of new tickets), keyed by normalised address:
 * those known in one read, the unknown ones created together (each with the first name any
 * entry gives it).
 */
export async function findOrCreateContactsByEmails(ctx: Ctx, entries: readonly { email: string; name?: string | undefined }[]): Promise<Map<string, Contact>> {
  const wanted = new Map<string, string | undefined>();
  for (const e of entries) {
    const email = normalizeEmail(e.email);
    // The first name given, not the first entry's: an item without a name must not leave the
    // contact called by its address when another item of the batch names the person.
    wanted.set(email, wanted.get(email) || e.name || undefined);
  }
  const ids = await contactIdsByEmails(ctx.db, [...wanted.keys()]);
  const known = new Map((await findContactsByIds(ctx.db, [...ids.values()])).map((c) => [c.id, c]));
  const out = new Map<string, Contact>();
  const missing = new Map<string, string | undefined>();
  for (const [email, name] of wanted) {
    const contact = known.get(ids.get(email) ?? '');
    if (contact) out.set(email, contact);
    else missing.set(email, name);
  }
  if (missing.size) for (const [email, { contact }] of await createContactsForEmails(ctx, missing)) out.set(email, contact);
  return out;
}

export async function findContactByPhone(ctx: Ctx, phone: string): Promise<Contact | undefined> {
  const id = await findContactIdByIdentity(ctx.db, 'phone', normalizePhone(phone));
  return id ? (await findContactsByIds(ctx.db, [id]))[0] : undefined;
}

export async function updateContact(ctx: Ctx, id: string, input: z.output<typeof updateContactRequest>): Promise<Contact> {
  requireStaff(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const [contact] = await findContactsByIds(tx.db, [id]);
    if (!contact) throw notFound('Contact');
    const emails = input.emails ? [...new Set(input.emails.map(normalizeEmail))] : contact.emails;
    const phones = input.phones ? [...new Set(input.phones.map(normalizePhone))] : contact.phones;
    await assertIdentitiesFree(tx, input.emails ? emails : [], input.phones ? phones : [], id);
    await assertOrganization(tx, input.organizationId);
    const next: Contact = {
      ...contact,
      name: input.name ?? contact.name,
      emails,
      phones,
      organizationId: input.organizationId === undefined ? contact.organizationId : input.organizationId,
      vip: input.vip ?? contact.vip,
      notes: input.notes ?? contact.notes,
      updatedAt: tx.now.toISOString(),
    };
    await updateContactRow(tx.db, next);
    const newId = () => uuidv7(tx.now.getTime());
    if (input.emails) await replaceIdentities(tx.db, id, 'email', emails, next.updatedAt, newId);
    if (input.phones) await replaceIdentities(tx.db, id, 'phone', phones, next.updatedAt, newId);
    await emit(tx, 'contact.updated', { contactId: id, changes: Object.keys(input) });
    return next;
  });
}

export async function getContact(ctx: Ctx, id: string): Promise<Contact> {
  if (ctx.actor.type === 'customer' && ctx.actor.contactId !== id) throw notFound('Contact');
  const [contact] = await findContactsByIds(ctx.db, [id]);
  if (!contact) throw notFound('Contact');
  return contact;
}

/** Batched lookup for presenters of higher modules. */
export const getContactsByIds = (ctx: Ctx, ids: readonly string[]): Promise<Contact[]> => findContactsByIds(ctx.db, ids);
export const getOrganizationsByIds = (ctx: Ctx, ids: readonly string[]): Promise<Organization[]> => findOrganizationsByIds(ctx.db, ids);

export async function listContacts(
  ctx: Ctx,
  opts: { q?: string | undefined; organizationId?: string | undefined; after?: { name: string; id: string } | undefined; limit: number },
): Promise<Contact[]> {
  requireStaff(ctx.actor);
  // A query written like a phone number also matches stored numbers, whatever the formatting.
  const looksLikePhone = opts.q !== undefined && /^\+?[0-9 ()./-]+$/.test(opts.q.trim()) && opts.q.replace(/\D/g, '').length >= 3;
  return listContactPage(ctx.db, { ...opts, phone: looksLikePhone ? normalizePhone(opts.q!) : undefined });
}

// Organizations

/**
 * A domain belongs to one organization: new contacts join the organization of their address's
 * domain, which must not depend on which of two claimants is read first. Only the domains an
 * organization adds are checked, so one that shares a domain from before this rule can still be
 * edited (and give the domain up).
 */
async function assertDomainsFree(tx: Ctx, domains: readonly string[], self: Organization | null): Promise<void> {
  const added = domains.filter((d) => !self?.domains.includes(d));
  if (added.length === 0) return;
  for (const other of await listOrganizationRows(tx.db)) {
    if (other.id === self?.id) continue;
    const taken = added.find((d) => other.domains.includes(d));
    if (taken) throw conflict(`Domain ${taken} already belongs to the organization ${other.name}`, { field: 'domains', domain: taken, organizationId: other.id, organizationName: other.name });
  }
}

export async function createOrganization(ctx: Ctx, input: z.output<typeof createOrganizationRequest>): Promise<Organization> {
  requireStaff(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    if (await findOrganizationByName(tx.db, input.name)) throw conflict('An organization with this name already exists', { field: 'name' });
    await assertDomainsFree(tx, input.domains, null);
    const at = tx.now.toISOString();
    const org: Organization = { id: uuidv7(tx.now.getTime()), ...input, domains: [...new Set(input.domains)], createdAt: at, updatedAt: at };
    await insertOrganization(tx.db, org);
    forgetInTransaction(tx.db, ORGANIZATIONS);
    return org;
  });
}

export async function updateOrganization(ctx: Ctx, id: string, input: z.output<typeof updateOrganizationRequest>): Promise<Organization> {
  requireStaff(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const [org] = await findOrganizationsByIds(tx.db, [id]);
    if (!org) throw notFound('Organization');
    if (input.name && input.name.toLowerCase() !== org.name.toLowerCase() && (await findOrganizationByName(tx.db, input.name))) {
      throw conflict('An organization with this name already exists', { field: 'name' });
    }
    if (input.domains) await assertDomainsFree(tx, input.domains, org);
    const next: Organization = {
      ...org,
      name: input.name ?? org.name,
      domains: input.domains ? [...new Set(input.domains)] : org.domains,
      notes: input.notes ?? org.notes,
      vip: input.vip ?? org.vip,
      updatedAt: tx.now.toISOString(),
    };
    await updateOrganizationRow(tx.db, next);
    forgetInTransaction(tx.db, ORGANIZATIONS);
    return next;
  });
}

export async function getOrganization(ctx: Ctx, id: string): Promise<Organization> {
  requireStaff(ctx.actor);
  const [org] = await findOrganizationsByIds(ctx.db, [id]);
  if (!org) throw notFound('Organization');
  return org;
}

export async function listOrganizations(ctx: Ctx): Promise<Organization[]> {
  requireStaff(ctx.actor);
  return listOrganizationRows(ctx.db);
}

export async function deleteOrganization(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const [org] = await findOrganizationsByIds(tx.db, [id]);
    if (!org) throw notFound('Organization');
    await deleteOrganizationRow(tx.db, id);
    forgetInTransaction(tx.db, ORGANIZATIONS);
    await recordAudit(tx, 'organization.deleted', { type: 'organization', id }, { name: org.name });
    await emit(tx, 'organization.deleted', { organizationId: id, name: org.name });
  });
}

/** What full-text search indexes of a ticket's requester: name, addresses and numbers. */
export const contactSearchText = (c: Contact): string => [c.name, ...c.emails, ...c.phones].join(' ');
