import type { FilterResolvers } from './filter-resolve.js';
import type { TicketFacts } from './filter-evaluator.js';

/** Shared by the evaluator and SQL tests: the same tickets, the same filters, the same answers. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');
const H = 3_600_000;
const D = 24 * H;
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

export const USERS = { alice: 'u-alice', dave: 'u-dave' };
export const GROUPS = { billing: 'g-billing', tier2: 'g-tier2' };

export function fixtureResolvers(overrides: Partial<FilterResolvers> = {}): FilterResolvers & { calls: string[] } {
  const calls: string[] = [];
  const from = (kind: string, table: Record<string, string>) => async (names: string[]) => {
    calls.push(`${kind}:${names.join(',')}`);
    return new Map(names.filter((n) => table[n]).map((n) => [n, table[n]!]));
  };
  return {
    calls,
    actorUserId: USERS.alice,
    actorGroupIds: [GROUPS.billing],
    userIdsByHandle: from('users', { 'alice@acme.test': USERS.alice, 'dave@acme.test': USERS.dave, 'u-dave': USERS.dave }),
    groupIdsByName: from('groups', { billing: GROUPS.billing, 'tier 2': GROUPS.tier2 }),
    contactIdsByEmail: from('contacts', { 'bob@x.com': 'c-bob', 'carol@y.com': 'c-carol' }),
    organizationIdsByName: from('orgs', { acme: 'o-acme', 'big co': 'o-big' }),
    customFields: [
      { key: 'order_id', type: 'text', options: [] },
      { key: 'plan', type: 'dropdown', options: ['Gold', 'Silver', 'Bronze'] },
      { key: 'amount', type: 'number', options: [] },
      { key: 'vip', type: 'checkbox', options: [] },
      { key: 'renewal', type: 'date', options: [] },
      { key: 'features', type: 'multi_select', options: ['sso', 'api', 'audit'] },
    ],
    ...overrides,
  };
}

/** A ticket plus its search rows (one per document, as the indexer writes them). */
export interface FixtureTicket extends TicketFacts {
  docs: string[];
}

const base = {
  type: 'question',
  channel: 'email',
  organizationId: null,
  assigneeId: null,
  groupId: null,
  spam: false,
  mergedIntoId: null,
  hasAttachments: false,
  tags: [],
  starredBy: [],
  customFields: {},
  firstResponseAt: null,
  resolvedAt: null,
  closedAt: null,
  reopenCount: 0,
  messageCount: 1,
  slaDueAt: null,
  slaBreached: false,
  slaPaused: false,
} satisfies Partial<TicketFacts>;

const ticket = (t: Omit<FixtureTicket, keyof typeof base | 'text'> & Partial<TicketFacts>): FixtureTicket => ({
  ...base,
  ...t,
  text: t.docs.join('\n'),
});

export const TICKETS: FixtureTicket[] = [
  ticket({
    id: 't1', number: 1041, subject: 'Refund request for order', status: 'open', priority: 'high', requesterId: 'c-bob',
    organizationId: 'o-acme', assigneeId: USERS.alice, groupId: GROUPS.billing, tags: ['billing', 'vip'], starredBy: [USERS.alice],
    customFields: { order_id: '123', plan: 'Gold', amount: 150, vip: true, renewal: '2025-12-15', features: ['sso', 'api'] },
    createdAt: ago(10 * D), updatedAt: ago(1 * H), messageCount: 2, hasAttachments: true,
    docs: ['Refund request for order', 'Please refund my payment, it was delayed'],
  }),
  ticket({
    id: 't2', number: 1042, subject: 'Login broken', status: 'in_progress', priority: 'urgent', type: 'incident', channel: 'chat',
    requesterId: 'c-carol', organizationId: 'o-big', groupId: GROUPS.tier2,
    customFields: { plan: 'Silver', amount: 50, vip: false, renewal: '2026-02-01', features: ['audit'] },
    createdAt: ago(2 * H), updatedAt: ago(20 * 60_000), reopenCount: 3, messageCount: 5,
    docs: ['Login broken', 'I cannot sign in after the e-mail verification'],
  }),
  ticket({
    id: 't3', number: 1043, subject: 'Invoice copy', status: 'resolved', priority: 'low', requesterId: 'c-bob', organizationId: 'o-acme',
    assigneeId: USERS.dave, tags: ['billing'], customFields: { order_id: 456, amount: '100' },
    createdAt: '2026-01-01T08:00:00.000Z', updatedAt: '2026-02-20T10:00:00.000Z', resolvedAt: '2026-02-20T10:00:00.000Z',
    reopenCount: 1, messageCount: 3, docs: ['Invoice copy', 'Could you send a copy of the invoice'],
  }),
  ticket({
    id: 't4', number: 1044, subject: 'Cheap pills', status: 'open', priority: 'medium', requesterId: 'c-carol', spam: true,
    createdAt: ago(1 * D), updatedAt: ago(1 * D), docs: ['Cheap pills refund guaranteed'],
  }),
  ticket({
    id: 't5', number: 1045, subject: 'Refund again', status: 'closed', priority: 'medium', requesterId: 'c-bob', mergedIntoId: 't1',
    createdAt: ago(9 * D), updatedAt: ago(9 * D), closedAt: ago(9 * D), docs: ['Refund again'],
  }),
  ticket({
    id: 't6', number: 1046, subject: 'Feature idea: dark mode', status: 'waiting', priority: 'medium', type: 'feature_request',
    channel: 'web_form', requesterId: 'c-carol', assigneeId: USERS.alice, hasAttachments: true,
    createdAt: '2026-02-01T12:00:00.000Z', updatedAt: ago(3 * D), docs: ['Feature idea: dark mode', 'A dark mode would be lovely'],
  }),
  ticket({
    id: 't7', number: 1047, subject: 'Refund_100% discount', status: 'closed', priority: 'urgent', type: 'complaint', channel: 'phone',
    requesterId: 'c-bob', organizationId: 'o-big', assigneeId: USERS.dave, groupId: GROUPS.billing,
    createdAt: ago(21 * D), updatedAt: ago(14 * D), resolvedAt: ago(20 * D), closedAt: ago(14 * D), docs: ['Refund of 100 percent discount'],
  }),
];

/** Filter -> ids it must select (evaluator and SQL alike), relative to NOW and the fixture resolvers. */
export const CASES: [string, string[]][] = [
  ['', ['t1', 't2', 't3', 't6', 't7']],
  ['status:open,in_progress', ['t1', 't2']],
  ['STATUS=In-Progress', ['t2']],
  ['is:open', ['t1', 't2', 't6']],
  ['-is:open', ['t3', 't7']],
  ['priority>=high', ['t1', 't2', 't7']],
  ['priority<medium', ['t3']],
  ['priority>urgent', []],
  ['priority:urgent', ['t2', 't7']],
  ['type:incident', ['t2']],
  ['channel:email,chat', ['t1', 't2', 't3']],
  ['assignee:me', ['t1', 't6']],
  ['-assignee:me', ['t2', 't3', 't7']],
  ['assignee:none', ['t2']],
  ['is:unassigned', ['t2']],
  ['-is:unassigned', ['t1', 't3', 't6', 't7']],
  ['assignee:me,none', ['t1', 't2', 't6']],
  ['assignee:Dave@Acme.test', ['t3', 't7']],
  ['group:billing', ['t1', 't7']],
  ['group:"Tier 2"', ['t2']],
  ['group:none', ['t3', 't6']],
  ['group:mine', ['t1', 't7']],
  ['-group:billing', ['t2', 't3', 't6']],
  ['tag:vip', ['t1']],
  ['-tag:vip', ['t2', 't3', 't6', 't7']],
  ['tag:VIP,billing', ['t1', 't3']],
  ['requester:bob@x.com', ['t1', 't3', 't7']],
  ['organization:Acme', ['t1', 't3']],
  ['org:"Big Co"', ['t2', 't7']],
  ['org:none', ['t6']],
  ['-org:acme', ['t2', 't6', 't7']],
  ['created>7d', ['t1', 't3', 't6', 't7']],
  ['created<24h', ['t2']],
  ['updated>30m', ['t1', 't3', 't6', 't7']],
  ['created>=2026-02-01', ['t1', 't2', 't6', 't7']],
  ['created<2026-02-01T12:00:00Z', ['t3']],
  ['created<=2026-02-01T12:00:00Z', ['t3', 't6']],
  ['created:2026-02-01', ['t6']],
  ['created:2026-02-01T12:00:00.000Z', ['t6']],
  ['resolved<2w', ['t3']],
  ['-resolved<2w', ['t1', 't2', 't6', 't7']],
  ['closed>1w', ['t7']],
  ['is:starred', ['t1']],
  ['is:spam', ['t4']],
  ['-is:spam', ['t1', 't2', 't3', 't6', 't7']],
  ['is:merged', ['t5']],
  ['is:spam,merged', ['t4', 't5']],
  ['has:attachments', ['t1', 't6']],
  ['-has:attachments', ['t2', 't3', 't7']],
  ['number:1042', ['t2']],
  ['#1042', ['t2']],
  ['-#1042', ['t1', 't3', 't6', 't7']],
  ['number>=1046', ['t6', 't7']],
  ['number:1041,1043', ['t1', 't3']],
  ['subject:"refund request"', ['t1']],
  ['subject:REFUND', ['t1', 't7']],
  ['subject:%', ['t7']],
  ['subject:d_1', ['t7']],
  ['subject:"idea: dark"', ['t6']],
  ['cf.order_id:123', ['t1']],
  ['cf.order_id:456', ['t3']],
  ['cf.plan:gold,silver', ['t1', 't2']],
  ['-cf.plan:gold', ['t2', 't3', 't6', 't7']],
  ['cf.amount>100', ['t1']],
  ['cf.amount<=50', ['t2']],
  ['cf.amount:150', ['t1']],
  ['-cf.amount>100', ['t2', 't3', 't6', 't7']],
  ['cf.vip:true', ['t1']],
  ['cf.vip:false', ['t2', 't3', 't6', 't7']],
  ['cf.renewal<2026-01-01', ['t1']],
  ['cf.renewal>=2026-01-01', ['t2']],
  ['cf.renewal:2026-02-01', ['t2']],
  ['cf.features:SSO', ['t1']],
  ['cf.features:audit,api', ['t1', 't2']],
  ['-cf.features:sso', ['t2', 't3', 't6', 't7']],
  // Unquoted none: no value, of any type.
  ['cf.order_id:none', ['t2', 't6', 't7']],
  ['-cf.order_id:none', ['t1', 't3']],
  ['cf.plan:none,gold', ['t1', 't3', 't6', 't7']],
  ['cf.features:none', ['t3', 't6', 't7']],
  ['cf.vip:NONE', ['t3', 't6', 't7']],
  ['cf.amount:none', ['t6', 't7']],
  ['cf.renewal:none cf.amount:none', ['t6', 't7']],
  ['reopens>2', ['t2']],
  ['messages>3', ['t2']],
  ['messages:3', ['t3']],
  ['refund', ['t1', 't7']],
  ['REF', ['t1', 't7']],
  ['"refund request"', ['t1']],
  ['"refund req"', []],
  ['-refund', ['t2', 't3', 't6']],
  ['e-mail', ['t2']],
  ['"dark mode"', ['t6']],
  ['dark mode', ['t6']],
  ['"mode dark"', []],
  ['refund is:merged', ['t5']],
  ['refund status:open', ['t1']],
  ['... refund', ['t1', 't7']],
  ['status:open,in_progress priority>=high assignee:me -tag:spam group:billing created>7d "refund"', ['t1']],
];
