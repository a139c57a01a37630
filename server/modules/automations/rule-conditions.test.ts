import { describe, expect, it } from 'vitest';
import { parseFilter } from '../tickets/filter/filter-parser.js';
import { resolveFilter } from '../tickets/filter/filter-resolve.js';
import { fixtureResolvers, GROUPS, NOW } from '../tickets/filter/filter.fixtures.js';
import type { TicketFacts } from '../tickets/filter/filter-evaluator.js';
import { conditionsHold, emailAtDomain, hasKeyword, type RuleFacts } from './rule-conditions.js';

const D = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

const ticket = (over: Partial<TicketFacts> = {}): TicketFacts => ({
  id: 't1',
  number: 1,
  subject: 'Invoice question',
  status: 'waiting',
  priority: 'high',
  type: 'question',
  channel: 'email',
  requesterId: 'c-bob',
  organizationId: null,
  assigneeId: null,
  groupId: GROUPS.billing,
  spam: false,
  mergedIntoId: null,
  hasAttachments: false,
  tags: ['billing'],
  starredBy: [],
  customFields: { plan: 'Gold' },
  createdAt: ago(10 * D),
  updatedAt: ago(4 * D),
  firstResponseAt: null,
  resolvedAt: null,
  closedAt: null,
  reopenCount: 0,
  messageCount: 2,
  slaDueAt: null,
  slaBreached: false,
  slaPaused: false,
  text: 'Invoice question\nplease send the refund',
  ...over,
});

const facts = (over: Partial<RuleFacts> = {}, t: Partial<TicketFacts> = {}): RuleFacts => ({
  ticket: ticket(t),
  mailboxId: 'mb-1',
  requesterEmails: ['bob@eu.bigcustomer.com'],
  vip: false,
  keywordText: 'Invoice question\nplease send the refund',
  withinHours: (id) => (id === 'cal-office' ? false : null),
  ...over,
});

const resolved = (q: string) => resolveFilter(parseFilter(q), fixtureResolvers());

describe('rule conditions, evaluated in memory on one ticket', () => {
  it('the filter language decides with the same meaning as views (ages, enums, groups, custom fields)', async () => {
    expect(conditionsHold({ filter: '' }, await resolved('status:waiting updated>3d'), facts(), NOW)).toBe(true);
    expect(conditionsHold({ filter: '' }, await resolved('status:waiting updated>5d'), facts(), NOW)).toBe(false);
    expect(conditionsHold({ filter: '' }, await resolved('priority>=high group:billing cf.plan:gold'), facts(), NOW)).toBe(true);
    expect(conditionsHold({ filter: '' }, await resolved('-tag:billing'), facts(), NOW)).toBe(false);
    expect(conditionsHold({ filter: '' }, await resolved('refund'), facts(), NOW)).toBe(true);
    // Spam is hidden unless the filter names it, as in every view.
    expect(conditionsHold({ filter: '' }, await resolved('status:waiting'), facts({}, { spam: true }), NOW)).toBe(false);
  });

  it('routing facts: mailbox, keywords, requester domain, VIP, business hours, agent reply; all must hold', () => {
    expect(conditionsHold({ filter: '', mailboxIds: ['mb-1'] }, null, facts(), NOW)).toBe(true);
    expect(conditionsHold({ filter: '', mailboxIds: ['mb-2'] }, null, facts(), NOW)).toBe(false);
    expect(conditionsHold({ filter: '', mailboxIds: ['mb-1'] }, null, facts({ mailboxId: null }), NOW)).toBe(false);
    expect(conditionsHold({ filter: '', keywords: ['refund'] }, null, facts(), NOW)).toBe(true);
    expect(conditionsHold({ filter: '', keywords: ['chargeback'] }, null, facts(), NOW)).toBe(false);
    expect(conditionsHold({ filter: '', emailDomains: ['bigcustomer.com'] }, null, facts(), NOW)).toBe(true);
    expect(conditionsHold({ filter: '', vip: true }, null, facts(), NOW)).toBe(false);
    expect(conditionsHold({ filter: '', vip: true }, null, facts({ vip: true }), NOW)).toBe(true);
    expect(conditionsHold({ filter: '', businessHours: { calendarId: 'cal-office', inside: false } }, null, facts(), NOW)).toBe(true);
    expect(conditionsHold({ filter: '', businessHours: { calendarId: 'cal-office', inside: true } }, null, facts(), NOW)).toBe(false);
    // An unknown calendar never matches, either way.
    expect(conditionsHold({ filter: '', businessHours: { calendarId: 'cal-gone', inside: false } }, null, facts(), NOW)).toBe(false);
    expect(conditionsHold({ filter: '', noAgentReply: true }, null, facts(), NOW)).toBe(true);
    expect(conditionsHold({ filter: '', noAgentReply: true }, null, facts({}, { firstResponseAt: ago(D) }), NOW)).toBe(false);
    expect(conditionsHold({ filter: '', keywords: ['refund'], vip: true }, null, facts(), NOW)).toBe(false);
  });

  it('keywords match whole words and phrases, case-insensitively', () => {
    expect(hasKeyword('Where is my REFUND?', ['refund'])).toBe(true);
    expect(hasKeyword('I was refunded', ['refund'])).toBe(false);
    expect(hasKeyword('please cancel my account now', ['cancel my account'])).toBe(true);
    expect(hasKeyword('cancel the account', ['cancel my account'])).toBe(false);
  });

  it('email domains match the domain and its subdomains only', () => {
    expect(emailAtDomain('a@bigcustomer.com', ['bigcustomer.com'])).toBe(true);
    expect(emailAtDomain('a@EU.BigCustomer.com', ['@bigcustomer.com'])).toBe(true);
    expect(emailAtDomain('a@notbigcustomer.com', ['bigcustomer.com'])).toBe(false);
  });
});
