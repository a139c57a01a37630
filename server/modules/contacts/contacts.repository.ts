import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { containsInsensitive } from '../../platform/db/dialect/sql.js';
import { insertRows, prepared } from '../../platform/db/prepared.js';
import { jsonParam, toBool, toIso, toJson } from '../../platform/db/rows.js';

interface ContactTables {
  contacts: { id: string; name: string; organization_id: string | null; vip: number; notes: string; created_at: string; updated_at: string };
  contact_identities: { id: string; contact_id: string; kind: string; value: string; is_primary: number; created_at: string };
  organizations: { id: string; name: string; name_key: string; domains: unknown; notes: string; vip: number; created_at: string; updated_at: string };
}
const q = (db: AnyDb) => db as Kysely<ContactTables>;

export interface Contact {
  id: string;
  name: string;
  emails: string[];
  phones: string[];
  organizationId: string | null;
  vip: boolean;
  notes: string;
  createdAt: string;
  updatedAt: string;
}

export interface Organization {
  id: string;
  name: string;
  domains: string[];
  notes: string;
  vip: boolean;
  createdAt: string;
  updatedAt: string;
}

export type IdentityKind = 'email' | 'phone';

export async function insertContact(db: AnyDb, c: Contact): Promise<void> {
  await insertContacts(db, [c]);
}

/** New contact rows (their identities are claimed apart), a few statements however many. */
export async function insertContacts(db: AnyDb, contacts: readonly Contact[]): Promise<void> {
  await insertRows(
    q(db),
    'contacts',
    contacts.map((c) => ({ id: c.id, name: c.name, organization_id: c.organizationId, vip: c.vip ? 1 : 0, notes: c.notes, created_at: c.createdAt, updated_at: c.updatedAt })),
  );
}

export async function updateContactRow(db: AnyDb, c: Contact): Promise<void> {
  await q(db)
    .updateTable('contacts')
    .set({ name: c.name, organization_id: c.organizationId, vip: c.vip ? 1 : 0, notes: c.notes, updated_at: c.updatedAt })
    .where('id', '=', c.id)
    .execute();
}

/** Replaces a contact's identities of one kind; the first is primary. */
export async function replaceIdentities(db: AnyDb, contactId: string, kind: IdentityKind, values: string[], at: string, newId: () => string): Promise<void> {
  await q(db).deleteFrom('contact_identities').where('contact_id', '=', contactId).where('kind', '=', kind).execute();
  const unique = [...new Set(values)];
  if (unique.length === 0) return;
  // Written in sorted order, the order new tickets' contacts claim addresses in: on PostgreSQL a
  // contact saved with [b, a] beside a batch claiming [a, b] would otherwise wait on each other
  // until the deadlock check broke the tie. (Identities list by primary, then value: unchanged.)
  const rows = unique.map((value, i) => ({ id: newId(), contact_id: contactId, kind, value, is_primary: i === 0 ? 1 : 0, created_at: at }));
  await q(db)
    .insertInto('contact_identities')
    .values(rows.sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : 0)))
    .execute();
}

/** Which of these identity values already belong to a contact other than `exceptContactId`. */
export async function findIdentityOwners(db: AnyDb, kind: IdentityKind, values: string[], exceptContactId?: string): Promise<{ value: string; contactId: string }[]> {
  if (values.length === 0) return [];
  let sel = q(db).selectFrom('contact_identities').select(['value', 'contact_id']).where('kind', '=', kind).where('value', 'in', values);
  if (exceptContactId) sel = sel.where('contact_id', '!=', exceptContactId);
  return (await sel.execute()).map((r) => ({ value: r.value, contactId: r.contact_id }));
}

// Every new ticket and every inbound mail resolves its sender: one contact at a time.
const contactIdByIdentity = prepared<{ kind: IdentityKind; value: string }, { contact_id: string }>('contact_identities.by-value', (db, v) =>
  q(db).selectFrom('contact_identities').select('contact_id').where('kind', '=', v.kind).where('value', '=', v.value),
);
const contactById = prepared<{ id: string }, ContactTables['contacts']>('contacts.by-id', (db, v) => q(db).selectFrom('contacts').selectAll().where('id', '=', v.id));
const identitiesOfContact = prepared<{ id: string }, { contact_id: string; kind: string; value: string }>('contact_identities.of-contact', (db, v) =>
  // `in (?)` rather than `= ?`: the same plan, yet SQLite runs this one 2.5 times faster.
  identitiesInOrder(q(db).selectFrom('contact_identities').select(['contact_id', 'kind', 'value']).where('contact_id', 'in', [v.id])),
);

export async function findContactIdByIdentity(db: AnyDb, kind: IdentityKind, value: string): Promise<string | undefined> {
  const [r] = await contactIdByIdentity(db, { kind, value });
  return r?.contact_id;
}

export async function findContactsByIds(db: AnyDb, ids: readonly string[]): Promise<Contact[]> {
  if (ids.length === 0) return [];
  const unique = [...new Set(ids)];
  const rows = unique.length === 1 ? await contactById(db, { id: unique[0]! }) : await q(db).selectFrom('contacts').selectAll().where('id', 'in', unique).execute();
  return hydrate(db, rows);
}

/** Primary identity first, then in the order they were added. */
const identitiesInOrder = <Q extends { orderBy(column: 'contact_id' | 'created_at' | 'value'): Q; orderBy(column: 'is_primary', dir: 'desc'): Q }>(query: Q): Q =>
  query.orderBy('contact_id').orderBy('is_primary', 'desc').orderBy('created_at').orderBy('value');

async function hydrate(db: AnyDb, rows: ContactTables['contacts'][]): Promise<Contact[]> {
  if (rows.length === 0) return [];
  const ids =
    rows.length === 1
      ? await identitiesOfContact(db, { id: rows[0]!.id })
      : await identitiesInOrder(
          q(db)
            .selectFrom('contact_identities')
            .select(['contact_id', 'kind', 'value'])
            .where('contact_id', 'in', rows.map((r) => r.id)),
        ).execute();
  const emails = new Map<string, string[]>();
  const phones = new Map<string, string[]>();
  for (const i of ids) {
    const map = i.kind === 'email' ? emails : phones;
    map.set(i.contact_id, [...(map.get(i.contact_id) ?? []), i.value]);
  }
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    emails: emails.get(r.id) ?? [],
    phones: phones.get(r.id) ?? [],
    organizationId: r.organization_id,
    vip: toBool(r.vip),
    notes: r.notes,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  }));
}

export async function listContactPage(
  db: AnyDb,
  opts: {
    q?: string | undefined;
    /** The query as a normalised phone number, when it looks like one: "+1 (555) 010-2000" finds "+15550102000". */
    phone?: string | undefined;
    organizationId?: string | undefined;
    after?: { name: string; id: string } | undefined;
    limit: number;
  },
): Promise<Contact[]> {
  let sel = q(db).selectFrom('contacts').selectAll('contacts');
  if (opts.organizationId) sel = sel.where('organization_id', '=', opts.organizationId);
  if (opts.q) {
    const needle = opts.q.trim().toLowerCase();
    const phone = opts.phone;
    sel = sel.where((eb) =>
      eb.or([
        containsInsensitive(db, 'contacts.name', needle),
        eb.exists(
          eb
            .selectFrom('contact_identities as ci')
            .select('ci.id')
            .whereRef('ci.contact_id', '=', 'contacts.id')
            .where(containsInsensitive(db, 'ci.value', needle)),
        ),
        ...(phone
          ? [
              eb.exists(
                eb
                  .selectFrom('contact_identities as cp')
                  .select('cp.id')
                  .whereRef('cp.contact_id', '=', 'contacts.id')
                  .where('cp.kind', '=', 'phone')
                  .where(containsInsensitive(db, 'cp.value', phone)),
              ),
            ]
          : []),
      ]),
    );
  }
  if (opts.after) {
    const a = opts.after;
    sel = sel.where((eb) => eb.or([eb('name', '>', a.name), eb.and([eb('name', '=', a.name), eb('id', '>', a.id)])]));
  }
  const rows = await sel.orderBy('name').orderBy('id').limit(opts.limit).execute();
  return hydrate(db, rows);
}

// Organizations

function toOrg(r: ContactTables['organizations']): Organization {
  return { id: r.id, name: r.name, domains: toJson<string[]>(r.domains, []), notes: r.notes, vip: toBool(r.vip), createdAt: toIso(r.created_at), updatedAt: toIso(r.updated_at) };
}

export async function insertOrganization(db: AnyDb, o: Organization): Promise<void> {
  await q(db)
    .insertInto('organizations')
    .values({ id: o.id, name: o.name, name_key: o.name.toLowerCase(), domains: jsonParam(o.domains), notes: o.notes, vip: o.vip ? 1 : 0, created_at: o.createdAt, updated_at: o.updatedAt })
    .execute();
}

export async function updateOrganizationRow(db: AnyDb, o: Organization): Promise<void> {
  await q(db)
    .updateTable('organizations')
    .set({ name: o.name, name_key: o.name.toLowerCase(), domains: jsonParam(o.domains), notes: o.notes, vip: o.vip ? 1 : 0, updated_at: o.updatedAt })
    .where('id', '=', o.id)
    .execute();
}

export async function findOrganizationsByIds(db: AnyDb, ids: readonly string[]): Promise<Organization[]> {
  if (ids.length === 0) return [];
  return (await q(db).selectFrom('organizations').selectAll().where('id', 'in', [...new Set(ids)]).execute()).map(toOrg);
}

export async function findOrganizationByName(db: AnyDb, name: string): Promise<Organization | undefined> {
  const r = await q(db).selectFrom('organizations').selectAll().where('name_key', '=', name.toLowerCase()).executeTakeFirst();
  return r ? toOrg(r) : undefined;
}

export async function listOrganizationRows(db: AnyDb): Promise<Organization[]> {
  return (await q(db).selectFrom('organizations').selectAll().orderBy('name_key').execute()).map(toOrg);
}

export async function deleteOrganizationRow(db: AnyDb, id: string): Promise<void> {
  await q(db).deleteFrom('organizations').where('id', '=', id).execute();
}

/** Lower-cased email -> contact id (filter values such as requester:bob@x.com). */
export async function contactIdsByEmails(db: AnyDb, emails: readonly string[]): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map();
  const rows = await q(db)
    .selectFrom('contact_identities')
    .select(['value', 'contact_id'])
    .where('kind', '=', 'email')
    .where('value', 'in', [...new Set(emails.map((e) => e.toLowerCase()))])
    .execute();
  return new Map(rows.map((r) => [r.value, r.contact_id]));
}

/** Lower-cased name or id -> organization id. */
export async function organizationIdsByNames(db: AnyDb, names: readonly string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const list = [...new Set(names.map((n) => n.toLowerCase()))];
  const rows = await q(db).selectFrom('organizations').select(['id', 'name_key']).where((eb) => eb.or([eb('name_key', 'in', list), eb('id', 'in', list)])).execute();
  const out = new Map<string, string>();
  for (const r of rows) {
    out.set(r.name_key, r.id);
    out.set(r.id, r.id);
  }
  return out;
}

const CLAIMS_PER_INSERT = 128;

/**
 * Claims identities for contacts unless another transaction already owns them; answers the
 * values claimed. On PostgreSQL a concurrent claim of the same value is waited for (to commit)
 * instead of failing; claims are made in the order given, so callers sort them to keep two
 * transactions claiming overlapping sets from waiting on each other.
 */
export async function claimIdentities(db: AnyDb, rows: readonly { id: string; contactId: string; kind: IdentityKind; value: string; at: string }[]): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (let at = 0; at < rows.length; at += CLAIMS_PER_INSERT) {
    const chunk = rows.slice(at, at + CLAIMS_PER_INSERT);
    const r = await q(db)
      .insertInto('contact_identities')
      .values(chunk.map((row) => ({ id: row.id, contact_id: row.contactId, kind: row.kind, value: row.value, is_primary: 1, created_at: row.at })))
      .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
      .returning('value')
      .execute();
    for (const x of r) claimed.add(x.value);
  }
  return claimed;
}

export async function deleteContactRows(db: AnyDb, ids: readonly string[]): Promise<void> {
  if (ids.length) await q(db).deleteFrom('contacts').where('id', 'in', [...ids]).execute();
}

