import type { Ctx } from '../platform/context.js';
import { inTransaction } from '../platform/db/transaction.js';
import { createGroup, createUser, listUsers, listGroups } from '../modules/auth/index.js';
import { createOrganization, organizationIdsByNames } from '../modules/contacts/index.js';
import { addMessageToTicket, createTicketWithMessage } from '../modules/messages/index.js';
import { applyChanges, logTime } from '../modules/tickets/index.js';
import { rateFromLink, surveyLinkToken } from '../modules/csat/index.js';

// A small deterministic generator so demo data is the same on every run.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eve', 'Farah', 'Goro', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq'];
const LAST = ['Silva', 'Okafor', 'Müller', 'Tanaka', 'Novak', 'Haddad', 'Kim', 'Rossi', 'Dubois', 'Smith', 'García', 'Ivanova'];
const ORGS = [
  { name: 'Acme Corp', domain: 'acme.test' },
  { name: 'Globex', domain: 'globex.test' },
  { name: 'Initech', domain: 'initech.test' },
  { name: 'Umbrella Health', domain: 'umbrella.test' },
];
const TOPICS = [
  { subject: 'Refund for duplicate charge', body: 'I was charged twice for my subscription this month. Could you refund the duplicate payment?', type: 'question', tags: ['billing', 'refund'] },
  { subject: 'Cannot log in after password reset', body: 'Since resetting my password yesterday the login page says my credentials are invalid.', type: 'incident', tags: ['login'] },
  { subject: 'Export to CSV is missing columns', body: 'The CSV export leaves out the custom columns we added last week.', type: 'problem', tags: ['export', 'bug'] },
  { subject: 'Feature request: dark mode', body: 'Our night shift would love a dark theme for the dashboard.', type: 'feature_request', tags: ['ui'] },
  { subject: 'Invoice address is wrong', body: 'The invoice for order 4411 shows our old office address. Please correct it.', type: 'question', tags: ['billing', 'invoice'] },
  { subject: 'App crashes when uploading photos', body: 'The mobile app closes as soon as I pick a photo larger than 5 MB.', type: 'incident', tags: ['mobile', 'bug'] },
  { subject: 'Very slow page loads this morning', body: 'Every page takes more than ten seconds to load since 8am.', type: 'incident', tags: ['performance'] },
  { subject: 'How do I add a new team member?', body: 'We hired two people; where do I invite them to our workspace?', type: 'question', tags: ['onboarding'] },
  { subject: 'Complaint about support response time', body: 'I waited four days for an answer last time. This is not acceptable.', type: 'complaint', tags: ['escalation'] },
  { subject: 'Upgrade our plan to enterprise', body: 'We would like a quote for the enterprise plan for 120 seats.', type: 'task', tags: ['sales'] },
];
const DEMO_GROUPS = ['Billing', 'Technical', 'Sales'];
const DEMO_AGENTS = 6;
const REPLIES = ['Thanks for reaching out, I am looking into this now.', 'Could you send us a screenshot of the error?', 'This is fixed on our side; can you try again?', 'I have issued the refund, it should arrive within 5 days.', 'Here is the screenshot you asked for.', 'It works now, thank you!'];

export interface SeedResult {
  tickets: number;
  contacts: number;
  agents: number;
}

/** Realistic demo data built through the same services the API uses. */
export async function seedDemo(ctx: Ctx, opts: { tickets: number; log?: (m: string) => void }): Promise<SeedResult> {
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const log = opts.log ?? (() => undefined);

  // The demo people are found by name and address, each made only when missing: a second run
  // reuses them, and an install's own agents (perhaps deactivated) are never given demo tickets.
  const groupIds: string[] = [];
  const existingGroups = await listGroups(ctx.db);
  for (const name of DEMO_GROUPS) {
    const g = existingGroups.find((x) => x.name.toLowerCase() === name.toLowerCase()) ?? (await createGroup(ctx, { name, description: `${name} team`, memberIds: [] }));
    groupIds.push(g.id);
  }
  const users = await listUsers(ctx, {});
  const agentIds: string[] = [];
  for (let i = 0; i < DEMO_AGENTS; i++) {
    const email = `agent${i + 1}@demo.test`;
    const found = users.find((u) => u.email === email);
    if (found) {
      if (found.active) agentIds.push(found.id);
      continue;
    }
    const u = await createUser(ctx, {
      email,
      name: `${FIRST[i]} ${LAST[i]}`,
      role: i === 0 ? 'supervisor' : 'agent',
      password: 'demo-password',
      restrictedToGroups: false,
      skills: [],
      maxLoad: 25,
      available: true,
      groupIds: [groupIds[i % groupIds.length]!],
    });
    agentIds.push(u.id);
  }
  const orgs = await organizationIdsByNames(ctx.db, ORGS.map((o) => o.name));
  for (const o of ORGS) {
    if (!orgs.has(o.name.toLowerCase())) await createOrganization(ctx, { name: o.name, domains: [o.domain], notes: '', vip: o.name === 'Acme Corp' });
  }

  const contacts = Math.max(5, Math.ceil(opts.tickets / 3));
  const base = ctx.now.getTime() - 30 * 86400_000;
  // A conversation runs up to about nine hours after its ticket opens (replies, status, rating):
  // tickets start early enough for all of it to lie in the past.
  const span = 30 * 86400_000 - 10 * 3600_000;
  const requesters = new Set<string>();
  for (let i = 0; i < opts.tickets; i++) {
    const c = Math.floor(rand() * contacts);
    const org = ORGS[c % (ORGS.length + 2)];
    const email = `${FIRST[c % FIRST.length]!.toLowerCase()}.${c}@${org?.domain ?? 'mail.test'}`;
    const topic = pick(TOPICS);
    requesters.add(email);
    const createdAt = new Date(base + Math.floor(rand() * span));
    const at = (offsetMin: number) => new Date(createdAt.getTime() + offsetMin * 60_000).toISOString();
    const tctx = { ...ctx, now: createdAt };
    const outcome = await inTransaction(tctx, async (tx) => {
      const { ticket } = await createTicketWithMessage(tx, {
        subject: topic.subject,
        requester: { email, name: `${FIRST[c % FIRST.length]} ${LAST[c % LAST.length]}` },
        message: { body: topic.body, format: 'text', attachmentIds: [] },
        priority: pick(['low', 'medium', 'medium', 'medium', 'high', 'urgent'] as const),
        type: topic.type as 'question',
        channel: pick(['email', 'email', 'email', 'chat', 'web_form', 'phone', 'api'] as const),
        assigneeId: null,
        groupId: groupIds.length ? pick(groupIds) : null,
        tags: topic.tags,
        customFields: {},
        createdAt: createdAt.toISOString(),
      });
      let current = ticket;
      const turns = Math.floor(rand() * 6);
      const assignee = rand() < 0.8 && agentIds.length ? pick(agentIds) : null;
      if (assignee) current = await applyChanges({ ...tx, now: new Date(at(5)) }, current, { assigneeId: assignee });
      for (let k = 0; k < turns; k++) {
        const kind = k % 2 === 0 ? 'reply' : 'customer';
        const mctx = { ...tx, now: new Date(at(30 + k * 90)), actor: assignee && kind === 'reply' ? { type: 'user' as const, id: assignee, role: 'agent' as const, name: 'Agent', email: '', groupIds: [], restricted: false } : tx.actor };
        current = (await addMessageToTicket(mctx, current, { kind, body: pick(REPLIES), format: 'text', attachmentIds: [], createdAt: at(30 + k * 90) })).ticket;
      }
      const end = rand();
      const finalStatus = end < 0.35 ? 'resolved' : end < 0.55 ? 'closed' : end < 0.7 ? 'waiting' : null;
      if (finalStatus) await applyChanges({ ...tx, now: new Date(at(30 + turns * 90 + 10)) }, current, { status: finalStatus });
      return { ticket: current, assignee, finalStatus, doneAt: new Date(at(30 + turns * 90 + 10)) };
    });
    // Time logged by the agent, and a rating from about half the customers whose ticket was solved,
    // through the same paths the workspace and the survey link take.
    if (outcome.assignee && rand() < 0.6) {
      const agent = { type: 'user' as const, id: outcome.assignee, role: 'agent' as const, name: 'Agent', email: '', groupIds: [], restricted: false };
      await logTime({ ...ctx, now: outcome.doneAt, actor: agent }, outcome.ticket.number, { minutes: 5 + Math.floor(rand() * 55), note: pick(['Investigation', 'Call with customer', 'Refund processing', 'Reproduced the bug']) });
    }
    if (outcome.finalStatus && rand() < 0.5) {
      const rctx = { ...ctx, now: new Date(outcome.doneAt.getTime() + 3600_000) };
      const good = rand() < 0.8;
      await rateFromLink(rctx, await surveyLinkToken(rctx, outcome.ticket.id), { rating: good ? 1 : 0, comment: good ? pick(['Quick and friendly', 'Thanks!', '']) : pick(['Took too long', 'Still not working']) });
    }
    if ((i + 1) % 500 === 0) log(`  ${i + 1}/${opts.tickets} tickets`);
  }
  return { tickets: opts.tickets, contacts: requesters.size, agents: agentIds.length };
}
