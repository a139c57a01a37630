import { sql } from 'kysely';
import type { AnyDb, Database } from '../server/platform/db/database.js';
import { uuidv7 } from '../server/platform/ids.js';
import { normaliseBody } from '../server/modules/messages/body-format.js';
import { compactSearchIndex } from '../server/platform/search/search-compaction.js';
import { indexedText } from '../server/platform/search/search.repository.js';

/** Names the measurement looks up: the generator guarantees each exists and is used. */
export const BENCH_NAMES = {
  adminEmail: 'admin@bench.tessera.test',
  filterAgentEmail: 'agent02@bench.tessera.test',
  commonTag: 'billing',
  rareWord: 'kaleidoscope',
  commonWord: 'please',
} as const;

export type Rng = () => number;

/** mulberry32: the data set is the same for the same seed, so runs compare. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const words = (s: string): string[] => s.trim().split(/\s+/);
const list = (s: string): string[] => s.split('|');

function weighted<T>(entries: readonly (readonly [T, number])[]): (r: Rng) => T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return (r) => {
    let x = r() * total;
    for (const [v, w] of entries) if ((x -= w) < 0) return v;
    return entries[entries.length - 1]![0];
  };
}

const FIRST = words('James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul Ashley Steven Emily Andrew Donna Joshua Michelle Kevin Carol Brian Amanda George Melissa Priya Wei Fatima Olu Sven Ingrid Mateo Lucia Hiroshi Aiko Omar Leila Pierre Chloe Noah Zoe');
const LAST = words('Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Kim Chen Rossi Dubois Kowalski Novak Jensen Okafor Tanaka Silva');
const ORGS = words('Acme Globex Initech Umbrella Hooli Stark Wayne Wonka Soylent Cyberdyne Tyrell Vandelay Gringotts Monarch Oscorp Nakatomi Dunder Massive Aperture Virtucon Prestige Sirius Hawthorne Blackmesa');
const FREE_DOMAINS = words('mailbox.test inbox.test postbox.test webmail.test');
const GROUPS = list('Billing|Technical Support|Sales|Returns|Shipping|Accounts|Onboarding|Enterprise|Hardware|Escalations');
const TAGS = words('billing refund login bug shipping invoice password feature-request urgent vip account upgrade cancellation mobile api integration outage export import onboarding sso security performance email sync payment discount warranty damaged delivery-delay duplicate-charge training feedback renewal trial gdpr data-loss printer hardware android');
const PRODUCTS = list('dashboard|mobile app|desktop client|reports module|billing portal|team workspace|sync service|calendar|shared inbox|analytics page|public API|browser extension');
const FEATURES = list('two-factor login|CSV export|dark mode|bulk edit|calendar sync|single sign-on|custom domains|webhooks|offline mode|audit log|recurring invoices|saved filters');
const PLANS = words('Starter Growth Business Enterprise');
const DEVICES = list('Windows 11|macOS Sonoma|an iPhone 14|a Pixel 8|Ubuntu 22.04|an iPad|a Chromebook');
const BROWSERS = words('Chrome Firefox Safari Edge');
const WHEN = list('yesterday|this morning|last week|two days ago|since Monday|since the last update|for a few hours');
// A long tail of less common words, so the index has realistic rare terms besides the planted one.
const TAIL = words('aurora basalt cobalt dolomite ember fjord glacier halcyon indigo juniper kestrel lagoon meridian nebula obsidian paprika quartz rhubarb saffron tamarind umber vermilion wisteria xenon yarrow zephyr anchovy bramble cinnabar driftwood eucalyptus falconry gossamer hickory iridescent jacaranda kumquat lichen marzipan nutmeg oleander persimmon quince rosemary sassafras tundra ultramarine verdigris walnut yew alabaster bergamot cardamom');

type Gen = (r: Rng) => string;
const order = (r: Rng) => String(100000 + Math.floor(r() * 900000));
const code = (r: Rng) => `E${1000 + Math.floor(r() * 9000)}`;
const money = (r: Rng) => `$${(10 + r() * 490).toFixed(2)}`;

const SUBJECTS: Gen[] = [
  (r) => `Cannot log in to the ${pick(r, PRODUCTS)}`,
  (r) => `Refund request for order #${order(r)}`,
  (r) => `Invoice ${order(r)} shows the wrong amount`,
  (r) => `The ${pick(r, PRODUCTS)} stops syncing after the update`,
  (r) => `Question about upgrading to the ${pick(r, PLANS)} plan`,
  (r) => `Package for order #${order(r)} has not arrived`,
  () => 'Password reset email never arrives',
  (r) => `Feature request: ${pick(r, FEATURES)}`,
  (r) => `Error ${code(r)} when exporting reports`,
  () => 'Charged twice this month',
  () => 'How do I add users to my team?',
  (r) => `Change shipping address for order #${order(r)}`,
  (r) => `The ${pick(r, PRODUCTS)} crashes when opening ${pick(r, FEATURES)}`,
  (r) => `Cancel my ${pick(r, PLANS)} subscription`,
  (r) => `Item from order #${order(r)} arrived damaged`,
  (r) => `${pick(r, FEATURES)} is not working`,
];
const PROBLEMS: Gen[] = [
  (r) => `I have been trying to open the ${pick(r, PRODUCTS)} ${pick(r, WHEN)}, but it keeps failing with error ${code(r)}.`,
  (r) => `Our team noticed that ${pick(r, FEATURES)} stopped working ${pick(r, WHEN)}.`,
  (r) => `I was charged twice for my ${pick(r, PLANS)} subscription this month.`,
  (r) => `The package for order #${order(r)} was supposed to arrive ${pick(r, WHEN)} and it still has not shown up.`,
  (r) => `When I open the ${pick(r, PRODUCTS)} it freezes for a few seconds and then closes.`,
  (r) => `I would like to move from the ${pick(r, PLANS)} plan to ${pick(r, PLANS)} but I cannot find the option.`,
  () => 'My colleague cannot reset the password because the email never arrives.',
  () => 'The invoice we received shows the wrong billing address and VAT number.',
  () => 'Export to CSV only includes the first hundred rows of the report.',
  () => 'The item arrived damaged and the box had been opened.',
  (r) => `Since ${pick(r, WHEN)} nobody in our office can sign in with single sign-on.`,
];
const DETAILS: Gen[] = [
  (r) => `This happens on ${pick(r, DEVICES)} with ${pick(r, BROWSERS)}.`,
  (r) => `It is quite frustrating because we rely on the ${pick(r, PRODUCTS)} every day.`,
  () => 'We already tried clearing the cache, restarting and signing in again.',
  (r) => `I attached a screenshot of the ${pick(r, PRODUCTS)} page.`,
  (r) => `We also saw something odd with the ${pick(r, TAIL)} and ${pick(r, TAIL)} settings.`,
  (r) => `Our account manager mentioned the ${pick(r, TAIL)} project might be related.`,
];
const ASKS = ['Could you please look into this as soon as possible?', 'Please let me know what information you need from me.', 'Can you please confirm when this will be fixed?', 'Please advise.', 'What should I do next?'];
const AGENT: Gen[] = [
  (r) => `Thanks for reaching out, and sorry for the trouble with the ${pick(r, PRODUCTS)}.`,
  () => 'I have checked your account and can see the problem you described.',
  (r) => `Our engineers identified the issue and deployed a fix ${pick(r, WHEN)}.`,
  (r) => `I have issued a refund of ${money(r)}; it should appear within 5 to 10 business days.`,
  () => 'Could you please send us the exact error message and the time it happened?',
  () => 'Please try signing out, clearing the browser cache and signing in again.',
  (r) => `I have escalated this to our ${pick(r, GROUPS)} team and will update you shortly.`,
  (r) => `You can enable ${pick(r, FEATURES)} under Settings, then Workspace.`,
];
const FOLLOW_UPS = ['Thanks, that worked!', 'Unfortunately the problem is still there.', 'Here is the screenshot you asked for.', 'Any update on this? Please let me know.', 'I tried that but it did not help.'];
const NOTES: Gen[] = [(r) => `Customer is on the ${pick(r, PLANS)} plan, logs show ${code(r)}.`, (r) => `Looks like the known ${pick(r, PRODUCTS)} issue, linking to the incident.`, () => 'Checked with billing, the duplicate charge is confirmed.'];

const sentences = (r: Rng, gens: readonly Gen[], n: number): string => Array.from({ length: n }, () => pick(r, gens)(r)).join(' ');

export function ticketSubject(r: Rng): string {
  return pick(r, SUBJECTS)(r);
}

/** A customer's first message; about one in a thousand carries the planted rare word. */
export function customerMessage(r: Rng, name: string): string {
  const parts = [pick(r, ['Hi,', 'Hello support team,', 'Good morning,', 'Hi there,']), sentences(r, PROBLEMS, 1 + Math.floor(r() * 2)) + ' ' + sentences(r, DETAILS, Math.floor(r() * 3))];
  if (r() < 0.001) parts.push(`The serial number on the ${BENCH_NAMES.rareWord} adapter is also unreadable.`);
  parts.push(r() < 0.8 ? pick(r, ASKS) : 'Thanks in advance.', `Thanks,\n${name}`);
  return parts.join('\n\n');
}

function agentReply(r: Rng, customer: string, agent: string): string {
  const parts = [`Hi ${customer.split(' ')[0]},`, sentences(r, AGENT, 1 + Math.floor(r() * 3))];
  if (r() < 0.001) parts.push(`The ${BENCH_NAMES.rareWord} adapter is covered by the warranty.`);
  return [...parts, `Best regards,\n${agent}`].join('\n\n');
}

function followUp(r: Rng, name: string): string {
  const body = `${pick(r, FOLLOW_UPS)} ${sentences(r, DETAILS, Math.floor(r() * 2))}`.trim();
  return r() < 0.001 ? `${body} The ${BENCH_NAMES.rareWord} issue came back.\n\n${name}` : `${body}\n\n${name}`;
}

type Row = Record<string, unknown>;
const TABLE_ORDER = ['tickets', 'ticket_tags', 'ticket_stars', 'messages', 'ticket_events', 'search_docs', 'search_fts'] as const;
type Chunk = Record<(typeof TABLE_ORDER)[number], Row[]>;

/** Multi-row inserts of at most 500 rows, under SQLite's 32766 bound variables. */
async function insertRows(db: AnyDb, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const per = Math.min(500, Math.floor(30_000 / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += per) await db.insertInto(table).values(rows.slice(i, i + per)).execute();
}

async function writeInTransaction(database: Database, tables: [string, Row[]][]): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    // Loss of the last commits on a crash is harmless here; the data set is regenerated.
    if (database.dialect === 'postgres') await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    for (const [table, rows] of tables) await insertRows(trx, table, rows);
  });
}

export interface GenerateOptions {
  tickets: number;
  now?: Date;
  seed?: number;
  onPhase?: (phase: string, total: number) => void;
  onProgress?: (done: number) => void;
}

export interface GenerateResult {
  tickets: number;
  contacts: number;
  messages: number;
  events: number;
  searchDocs: number;
  seconds: number;
}

interface Person {
  id: string;
  name: string;
  email: string;
  orgId: string | null;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Writes contacts, staff, groups and tickets with their messages, tags, events and search rows
 * straight into the migrated tables, in large transactions of multi-row inserts.
 */
export async function generateDataset(database: Database, opts: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const r = seededRng(opts.seed ?? 42);
  const db = database.db;
  const pg = database.dialect === 'postgres';
  const nowMs = (opts.now ?? new Date()).getTime();
  const startMs = nowMs - 365 * DAY;
  const setupAt = iso(startMs - 30 * DAY);
  if (!pg) await sql`PRAGMA synchronous = OFF`.execute(db);

  const orgs = ORGS.map((name, i) => ({ id: uuidv7(startMs - 400 * DAY), name: `${name} ${i % 3 === 0 ? 'Inc' : 'Ltd'}`, domain: `${name.toLowerCase()}.example`, vip: i < 3 }));
  const groups = GROUPS.map((name) => ({ id: uuidv7(startMs - 400 * DAY), name }));
  const staff: (Person & { role: string; groups: string[] })[] = Array.from({ length: 50 }, (_, i) => {
    const name = `${FIRST[(i * 7) % FIRST.length]} ${LAST[(i * 11) % LAST.length]}`;
    const email = i === 0 ? BENCH_NAMES.adminEmail : `agent${String(i).padStart(2, '0')}@bench.tessera.test`;
    return { id: uuidv7(startMs - 400 * DAY), name, email, orgId: null, role: i === 0 ? 'admin' : 'agent', groups: [...new Set([groups[i % 10]!.id, groups[(i * 3 + 1) % 10]!.id])] };
  });
  const membersOf = new Map(groups.map((g) => [g.id, staff.filter((s) => s.groups.includes(g.id))]));
  await writeInTransaction(database, [
    ['organizations', orgs.map((o) => ({ id: o.id, name: o.name, name_key: o.name.toLowerCase(), domains: JSON.stringify([o.domain]), notes: '', vip: o.vip ? 1 : 0, created_at: setupAt, updated_at: setupAt }))],
    ['groups', groups.map((g) => ({ id: g.id, name: g.name, description: `${g.name} queue`, created_at: setupAt, updated_at: setupAt }))],
    ['users', staff.map((s) => ({ id: s.id, email: s.email, name: s.name, role: s.role, password_hash: null, active: 1, restricted_to_groups: 0, skills: '[]', max_load: null, available: 1, contact_id: null, created_at: setupAt, updated_at: setupAt, last_login_at: null }))],
    ['group_members', staff.flatMap((s) => s.groups.map((g) => ({ group_id: g, user_id: s.id })))],
  ]);

  const contactCount = Math.max(10, Math.round(opts.tickets / 3));
  opts.onPhase?.('contacts', contactCount);
  const contacts: Person[] = [];
  for (let from = 0; from < contactCount; from += 5000) {
    const batch: Person[] = [];
    for (let i = from; i < Math.min(contactCount, from + 5000); i++) {
      const first = pick(r, FIRST);
      const last = pick(r, LAST);
      const org = r() < 0.3 ? pick(r, orgs) : null;
      const email = `${first}.${last}${i}@${org ? org.domain : pick(r, FREE_DOMAINS)}`.toLowerCase();
      batch.push({ id: uuidv7(startMs - 60 * DAY), name: `${first} ${last}`, email, orgId: org?.id ?? null });
    }
    contacts.push(...batch);
    await writeInTransaction(database, [
      ['contacts', batch.map((c) => ({ id: c.id, name: c.name, organization_id: c.orgId, vip: 0, notes: '', created_at: setupAt, updated_at: setupAt }))],
      ['contact_identities', batch.map((c) => ({ id: uuidv7(startMs - 60 * DAY), contact_id: c.id, kind: 'email', value: c.email, is_primary: 1, created_at: setupAt }))],
    ]);
    opts.onProgress?.(contacts.length);
  }

  const counts = { messages: 0, events: 0, searchDocs: 0 };
  let searchId = 0;
  const pickPriority = weighted([['low', 30], ['medium', 45], ['high', 18], ['urgent', 7]] as const);
  const pickType = weighted([['question', 40], ['incident', 25], ['problem', 10], ['feature_request', 8], ['complaint', 7], ['task', 5], ['other', 5]] as const);
  const pickChannel = weighted([['email', 55], ['web_form', 15], ['chat', 12], ['phone', 6], ['api', 5], ['agent', 4], ['social', 2], ['sms', 1]] as const);
  const pickActive = weighted([['open', 40], ['in_progress', 40], ['waiting', 20]] as const);
  const pickTag = weighted(TAGS.map((t, i) => [t, 1 / (i + 1) ** 0.8] as const));
  const pickTagCount = weighted([[0, 25], [1, 40], [2, 25], [3, 10]] as const);

  const buildChunk = async (from: number, to: number): Promise<Chunk> => {
    const c: Chunk = { tickets: [], ticket_tags: [], ticket_stars: [], messages: [], ticket_events: [], search_docs: [], search_fts: [] };
    for (let i = from; i < to; i++) {
      // Yielding lets the previous chunk's statements reach PostgreSQL while this one is built.
      if (i % 50 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const createdMs = Math.floor(startMs + ((i + r()) * 365 * DAY) / opts.tickets);
      // Every row of a ticket takes its id from the ticket's time, so uuidv7 stays monotonic.
      const newId = () => uuidv7(createdMs);
      const id = newId();
      const number = i + 1;
      const requester = contacts[Math.floor(contacts.length * r() ** 1.6)]!;
      const recent = nowMs - createdMs < 14 * DAY;
      let status: string = r() < (recent ? 0.6 : 0.1) ? pickActive(r) : 'done';
      const groupId = r() < 0.9 ? pick(r, groups).id : null;
      const pool = groupId ? membersOf.get(groupId)! : staff;
      const assignee = status === 'open' || (status === 'done' && r() < 0.04) ? null : pick(r, pool);
      const channel = pickChannel(r);
      const subject = ticketSubject(r);
      const priority = pickPriority(r);
      const ev = (action: string, atMs: number, actor: [string, string | null], from: unknown, to: unknown) =>
        c.ticket_events.push({ id: newId(), ticket_id: id, actor_type: actor[0], actor_id: actor[1], action, from_value: JSON.stringify(from), to_value: JSON.stringify(to), data: '{}', at: iso(atMs) });
      const inbound: [string, string | null] = channel === 'email' ? ['system', 'mail'] : ['system', channel];
      const search = (docKey: string, raw: string) => {
        const text = indexedText(raw);
        if (pg) c.search_docs.push({ doc_key: docKey, ticket_id: id, tsv: sql`to_tsvector('simple', ${text})` });
        else {
          searchId += 1;
          c.search_docs.push({ id: searchId, doc_key: docKey, ticket_id: id });
          c.search_fts.push({ rowid: searchId, body: text });
        }
      };
      ev('created', createdMs, inbound, null, { status: 'open', priority, channel, assigneeId: null, groupId });
      search(`t:${id}`, `#${number} ${subject}\n${requester.name} ${requester.email}`);

      const wanted = status === 'open' ? 1 + Math.floor(r() * 2) : 1 + Math.floor(r() ** 1.7 * 10);
      let at = createdMs;
      let lastMessageMs = createdMs;
      let firstResponse: number | null = null;
      let lastKind = 'reply';
      let messages = 0;
      for (let m = 0; m < wanted; m++) {
        if (m > 0) {
          at += Math.max(2 * 60_000, -Math.log(1 - r()) * 8 * HOUR);
          if (at > nowMs) break;
        }
        const kind = m === 0 ? 'customer' : r() < 0.1 ? 'note' : lastKind === 'customer' ? 'reply' : 'customer';
        const author = kind === 'customer' ? null : (assignee ?? pick(r, pool));
        const raw = m === 0 ? customerMessage(r, requester.name) : kind === 'customer' ? followUp(r, requester.name) : kind === 'note' ? pick(r, NOTES)(r) : agentReply(r, requester.name, author!.name);
        const { html, text } = normaliseBody(raw, 'text');
        const messageId = newId();
        c.messages.push({ id: messageId, ticket_id: id, kind, author_type: author ? 'user' : 'contact', author_user_id: author?.id ?? null, author_contact_id: author ? null : requester.id, body_html: html, body_text: text, mentions: '[]', original_ticket_id: null, created_at: iso(at) });
        search(`m:${messageId}`, text);
        ev('message_added', at, author ? ['user', author.id] : inbound, null, { messageId, kind });
        if (kind === 'reply') firstResponse ??= at;
        if (kind !== 'note') lastKind = kind;
        lastMessageMs = at;
        messages += 1;
      }
      counts.messages += messages;
      let updatedMs = lastMessageMs;
      if (assignee) {
        const at = Math.min(nowMs, createdMs + (5 + r() * 120) * 60_000, firstResponse ?? Infinity);
        ev('assigned', at, ['user', assignee.id], null, assignee.id);
        ev('status_changed', at, ['user', assignee.id], 'open', 'in_progress');
        updatedMs = Math.max(updatedMs, at);
      }
      let resolvedMs: number | null = null;
      let closedMs: number | null = null;
      if (status === 'done') {
        resolvedMs = lastMessageMs + r() * 12 * HOUR;
        if (resolvedMs > nowMs) {
          status = assignee ? 'in_progress' : 'open';
          resolvedMs = null;
        } else {
          ev('status_changed', resolvedMs, assignee ? ['user', assignee.id] : ['system', 'rules'], assignee ? 'in_progress' : 'open', 'resolved');
          closedMs = resolvedMs + (3 + r() * 4) * DAY;
          if (r() < 0.35 || closedMs > nowMs) {
            closedMs = null;
            status = 'resolved';
          } else {
            status = 'closed';
            ev('status_changed', closedMs, ['system', 'auto-close'], 'resolved', 'closed');
          }
          updatedMs = closedMs ?? resolvedMs;
        }
      } else if (status === 'waiting') {
        ev('status_changed', lastMessageMs, ['user', assignee!.id], 'in_progress', 'waiting');
      }
      const tags = [...new Set(Array.from({ length: pickTagCount(r) }, () => pickTag(r)))].sort();
      for (const tag of tags) c.ticket_tags.push({ ticket_id: id, tag });
      if (r() < 0.001) c.ticket_stars.push({ user_id: staff[0]!.id, ticket_id: id, created_at: iso(updatedMs) });
      c.tickets.push({
        id, number, subject, status, priority, type: pickType(r), channel, requester_id: requester.id, organization_id: requester.orgId,
        assignee_id: assignee?.id ?? null, group_id: groupId, spam: r() < 0.003 ? 1 : 0, merged_into_id: null, split_from_id: null, follow_up_of_id: null,
        custom_fields: '{}', first_response_at: firstResponse === null ? null : iso(firstResponse), resolved_at: resolvedMs === null ? null : iso(resolvedMs),
        closed_at: closedMs === null ? null : iso(closedMs), reopen_count: r() < 0.02 ? 1 : 0, message_count: messages, last_message_at: iso(lastMessageMs),
        created_at: iso(createdMs), updated_at: iso(Math.min(nowMs, updatedMs)),
        is_open: status === 'open' || status === 'in_progress' || status === 'waiting' ? 1 : 0,
      });
    }
    counts.events += c.ticket_events.length;
    counts.searchDocs += c.search_docs.length;
    return c;
  };

  opts.onPhase?.('tickets', opts.tickets);
  const CHUNK = 1000;
  // PostgreSQL writes two chunks at once on two connections while the next is built; SQLite has one writer.
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = pg ? 2 : 1;
  let written = 0;
  for (let from = 0; from < opts.tickets; from += CHUNK) {
    const chunk = await buildChunk(from, Math.min(opts.tickets, from + CHUNK));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const write: Promise<void> = writeInTransaction(database, TABLE_ORDER.map((t) => [t, chunk[t]] as [string, Row[]])).then(() => {
      inFlight.delete(write);
      written += chunk.tickets.length;
      opts.onProgress?.(written);
    });
    inFlight.add(write);
  }
  await Promise.all(inFlight);

  // The state the daily search.compact job keeps a live installation in (one b-tree per index).
  opts.onPhase?.('compact', 1);
  await compactSearchIndex(db);
  opts.onProgress?.(1);

  opts.onPhase?.('analyze', 1);
  if (pg) {
    await sql`SELECT setval('ticket_number_seq', ${opts.tickets})`.execute(db);
    await sql`VACUUM (ANALYZE)`.execute(db);
  } else {
    await sql`UPDATE counters SET value = ${opts.tickets} WHERE name = 'ticket_number'`.execute(db);
    await sql`ANALYZE`.execute(db);
    await sql`PRAGMA optimize`.execute(db);
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  }
  opts.onProgress?.(1);
  return { tickets: opts.tickets, contacts: contactCount, ...counts, seconds: (performance.now() - started) / 1000 };
}
