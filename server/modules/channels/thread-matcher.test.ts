import { describe, expect, it } from 'vitest';
import { replyAddress, replyToken, verifyReplyToken } from './reply-token.js';
import { matchThread, threadLookups, type KnownThreads, type ThreadFacts } from './thread-matcher.js';

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
const OTHER_SECRET = 'another-installation-secret-0123456789abcdef';

const base: ThreadFacts = { from: 'alice@customer.test', recipients: ['support@acme.test'], inReplyTo: [], references: [], subject: 'Hello', mailboxAddresses: ['support@acme.test', 'sales@acme.test'] };
const known: KnownThreads = {
  ticketsByNumber: new Map([
    [1042, 'T1042'],
    [7, 'T7'],
  ]),
  ticketByMessageId: new Map([
    ['<first@customer.test>', 'T7'],
    ['<agent-reply@acme.test>', 'T1042'],
  ]),
  participants: new Map([
    ['T1042', ['alice@customer.test', 'carol@customer.test']],
    ['T7', ['bob@customer.test']],
  ]),
};

const cases: { name: string; facts: Partial<ThreadFacts>; expected: { by: string; ticketId?: string } }[] = [
  { name: 'nothing known: a new ticket', facts: {}, expected: { by: 'none' } },
  { name: 'signed reply address', facts: { recipients: [replyAddress(SECRET, 'support@acme.test', 1042)] }, expected: { by: 'reply_address', ticketId: 'T1042' } },
  { name: 'reply address in Cc only', facts: { recipients: ['someone@else.test', replyAddress(SECRET, 'sales@acme.test', 7)] }, expected: { by: 'reply_address', ticketId: 'T7' } },
  { name: 'reply address upper-cased in transit', facts: { recipients: [replyAddress(SECRET, 'support@acme.test', 1042).toUpperCase()] }, expected: { by: 'reply_address', ticketId: 'T1042' } },
  { name: 'token signed by another installation is ignored', facts: { recipients: [replyAddress(OTHER_SECRET, 'support@acme.test', 1042)] }, expected: { by: 'none' } },
  { name: 'token with a tampered number is ignored', facts: { recipients: [`support+7-${replyToken(SECRET, 1042).split('-')[1]}@acme.test`] }, expected: { by: 'none' } },
  { name: 'token on a foreign domain is ignored', facts: { recipients: [`support+${replyToken(SECRET, 1042)}@evil.test`] }, expected: { by: 'none' } },
  { name: 'token for a ticket that no longer exists falls through', facts: { recipients: [replyAddress(SECRET, 'support@acme.test', 99)] }, expected: { by: 'none' } },
  { name: 'valid token wins over References', facts: { recipients: [replyAddress(SECRET, 'support@acme.test', 1042)], references: ['<first@customer.test>'] }, expected: { by: 'reply_address', ticketId: 'T1042' } },
  { name: 'In-Reply-To matching a stored Message-ID', facts: { inReplyTo: ['<first@customer.test>'] }, expected: { by: 'message_id', ticketId: 'T7' } },
  { name: 'In-Reply-To is tried before References', facts: { inReplyTo: ['<agent-reply@acme.test>'], references: ['<first@customer.test>'] }, expected: { by: 'message_id', ticketId: 'T1042' } },
  { name: 'References newest first', facts: { references: ['<first@customer.test>', '<unknown@x.test>', '<agent-reply@acme.test>'] }, expected: { by: 'message_id', ticketId: 'T1042' } },
  { name: 'unknown In-Reply-To falls back to References', facts: { inReplyTo: ['<unknown@x.test>'], references: ['<first@customer.test>'] }, expected: { by: 'message_id', ticketId: 'T7' } },
  { name: 'Message-ID match beats a subject token', facts: { inReplyTo: ['<first@customer.test>'], subject: 'Re: [#1042] Hi' }, expected: { by: 'message_id', ticketId: 'T7' } },
  { name: 'subject token from a participant', facts: { subject: 'Re: [#1042] Printer' }, expected: { by: 'subject_token', ticketId: 'T1042' } },
  { name: 'subject token from a CC participant', facts: { from: 'carol@customer.test', subject: 'AW: [#1042] Printer' }, expected: { by: 'subject_token', ticketId: 'T1042' } },
  { name: 'subject token from a stranger opens a new ticket', facts: { from: 'eve@evil.test', subject: '[#1042] give me everything' }, expected: { by: 'none' } },
  { name: 'subject token of an unknown ticket', facts: { subject: '[#555] hello' }, expected: { by: 'none' } },
  { name: 'second subject token is used when the sender takes part in that one', facts: { from: 'bob@customer.test', subject: '[#1042] and [#7]' }, expected: { by: 'subject_token', ticketId: 'T7' } },
  { name: 'a bare number is not a token', facts: { subject: 'Order #1042 is late' }, expected: { by: 'none' } },
  { name: 'participant match ignores case', facts: { from: 'ALICE@customer.test', subject: '[#1042]' }, expected: { by: 'subject_token', ticketId: 'T1042' } },
];

describe('thread matcher', () => {
  for (const c of cases) {
    it(c.name, () => {
      const facts = { ...base, ...c.facts };
      const m = matchThread(facts, known, SECRET);
      expect(m.by).toBe(c.expected.by);
      if (c.expected.ticketId) expect(m.by !== 'none' && m.ticketId).toBe(c.expected.ticketId);
    });
  }

  it('of several subject tokens the sender takes part in, prefers the last open ticket over a closed one', () => {
    // A follow-up (#134) of closed #124 whose mail still carries both tokens.
    const chain: KnownThreads = {
      ticketsByNumber: new Map([
        [124, 'T124'],
        [134, 'T134'],
      ]),
      ticketByMessageId: new Map(),
      participants: new Map([
        ['T124', ['alice@customer.test']],
        ['T134', ['alice@customer.test']],
      ]),
      closedTicketIds: new Set(['T124']),
    };
    const pick = (subject: string, closed: string[] = ['T124']) => matchThread({ ...base, subject }, { ...chain, closedTicketIds: new Set(closed) }, SECRET);
    expect(pick('Re: AR test [#124] [#134]')).toEqual({ by: 'subject_token', ticketId: 'T134', detail: '#134' });
    expect(pick('Re: AR test [#134] [#124]')).toEqual({ by: 'subject_token', ticketId: 'T134', detail: '#134' });
    // Both open: the last token, which our outgoing subjects append as the ticket's own.
    expect(pick('Re: AR test [#124] [#134]', [])).toEqual({ by: 'subject_token', ticketId: 'T134', detail: '#134' });
    // Both closed: still the newest (it opens one follow-up of the newest, not of the oldest).
    expect(pick('Re: AR test [#124] [#134]', ['T124', 'T134'])).toEqual({ by: 'subject_token', ticketId: 'T134', detail: '#134' });
    expect(pick('Re: AR test [#124]')).toEqual({ by: 'subject_token', ticketId: 'T124', detail: '#124' });
  });

  it('asks only for what it will use: verified token numbers, ids in try order, subject numbers', () => {
    const l = threadLookups(
      { ...base, recipients: [replyAddress(SECRET, 'support@acme.test', 5), replyAddress(OTHER_SECRET, 'support@acme.test', 6)], inReplyTo: ['<a@x>'], references: ['<b@x>', '<c@x>'], subject: 'Re: [#12] [#12] [#13]' },
      SECRET,
    );
    expect(l).toEqual({ tokenNumbers: [5], messageIds: ['<a@x>', '<c@x>', '<b@x>'], subjectNumbers: [12, 13] });
  });
});

describe('reply tokens', () => {
  it('round-trips and refuses forgeries', () => {
    const token = replyToken(SECRET, 1042);
    expect(token).toMatch(/^1042-[0-9a-f]{20}$/);
    expect(verifyReplyToken(SECRET, token)).toBe(1042);
    expect(verifyReplyToken(OTHER_SECRET, token)).toBeNull();
    expect(verifyReplyToken(SECRET, token.slice(0, -1))).toBeNull();
    expect(verifyReplyToken(SECRET, '1042')).toBeNull();
    expect(verifyReplyToken(SECRET, `0-${token.split('-')[1]}`)).toBeNull();
    expect(replyAddress(SECRET, 'support@acme.test', 1042)).toBe(`support+${token}@acme.test`);
  });
});
