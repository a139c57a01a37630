import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import type { FilterTerm } from './filter-ast.js';
import { matchesFilter } from './filter-evaluator.js';
import { describeFilterFields, FILTER_FIELDS } from './filter-fields.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter, type FilterResolvers } from './filter-resolve.js';
import { CASES, fixtureResolvers, NOW, TICKETS } from './filter.fixtures.js';

function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a filter_syntax error');
}

async function asyncErrorOf(run: () => Promise<unknown>): Promise<AppError> {
  const e = await run().then(() => undefined, (err: unknown) => err);
  if (e instanceof AppError) return e;
  throw e ?? new Error('expected a filter_syntax error');
}

const one = (input: string): FilterTerm => {
  const { terms } = parseFilter(input);
  expect(terms).toHaveLength(1);
  return terms[0]!;
};

const vals = (input: string) => {
  const t = one(input);
  if (t.kind === 'text') throw new Error(`${input} parsed as text`);
  return t.values;
};

describe('parseFilter: constructs', () => {
  it('parses a field with an OR list, keeping value positions', () => {
    expect(one('status:open,in_progress')).toEqual({
      kind: 'field', field: 'status', op: ':', negated: false, position: 0,
      values: [
        { kind: 'text', value: 'open', quoted: false, position: 7 },
        { kind: 'text', value: 'in_progress', quoted: false, position: 12 },
      ],
    });
  });

  it('ANDs whitespace-separated terms and negates with a leading "-"', () => {
    const { terms } = parseFilter('  status:open   -tag:vip\t"refund"  ');
    expect(terms.map((t) => [t.kind, t.negated, t.position])).toEqual([['field', false, 2], ['field', true, 16], ['text', false, 25]]);
  });

  it.each([
    ['priority>=high', '>='], ['priority>high', '>'], ['priority<=low', '<='], ['priority<medium', '<'], ['priority=urgent', ':'], ['priority:urgent', ':'],
  ])('reads the operator of %s', (input, op) => {
    expect(one(input)).toMatchObject({ field: 'priority', op });
  });

  it('is case-insensitive in field names, aliases and enum values', () => {
    expect(one('Org:"Big Co"')).toMatchObject({ field: 'organization', values: [{ kind: 'text', value: 'Big Co', quoted: true }] });
    expect(one('STATUS:In-Progress')).toMatchObject({ field: 'status', values: [{ value: 'in_progress' }] });
    expect(one('tags:VIP')).toMatchObject({ field: 'tag', values: [{ value: 'vip' }] });
    expect(one('Channel:WEB-FORM')).toMatchObject({ field: 'channel', values: [{ value: 'web_form' }] });
    expect(one('type:feature_request')).toMatchObject({ field: 'type', values: [{ value: 'feature_request' }] });
  });

  it('reads keywords unquoted and names when quoted', () => {
    expect(vals('assignee:me,none')).toEqual([{ kind: 'keyword', value: 'me', position: 9 }, { kind: 'keyword', value: 'none', position: 12 }]);
    expect(vals('group:mine')).toEqual([{ kind: 'keyword', value: 'mine', position: 6 }]);
    expect(vals('group:"none"')).toEqual([{ kind: 'text', value: 'none', quoted: true, position: 6 }]);
    expect(vals('assignee:alice@acme.test')).toEqual([{ kind: 'text', value: 'alice@acme.test', quoted: false, position: 9 }]);
    expect(one('requester:bob@x.com')).toMatchObject({ field: 'requester', values: [{ value: 'bob@x.com' }] });
  });

  it('reads relative ages and absolute instants', () => {
    expect(vals('created>7d')).toEqual([{ kind: 'age', ms: 7 * 86_400_000, text: '7d', position: 8 }]);
    expect(vals('created<24h')[0]).toMatchObject({ kind: 'age', ms: 24 * 3_600_000 });
    expect(vals('updated>30m')[0]).toMatchObject({ kind: 'age', ms: 30 * 60_000 });
    expect(vals('resolved<2W')[0]).toMatchObject({ kind: 'age', ms: 14 * 86_400_000 });
    expect(vals('created>=2026-01-01')[0]).toEqual({ kind: 'instant', iso: '2026-01-01T00:00:00.000Z', dateOnly: true, position: 9 });
    expect(vals('created<2026-02-01T12:00:00Z')[0]).toMatchObject({ iso: '2026-02-01T12:00:00.000Z', dateOnly: false });
    expect(vals('closed<2026-02-01T12:00+02:00')[0]).toMatchObject({ iso: '2026-02-01T10:00:00.000Z' });
    expect(vals('created:2026-02-01T12:00:00.5')[0]).toMatchObject({ iso: '2026-02-01T12:00:00.500Z' });
  });

  it('reads is:, has:, numbers, #n, subject and counts', () => {
    expect(vals('is:starred,spam').map((v) => (v.kind === 'text' ? v.value : v.kind))).toEqual(['starred', 'spam']);
    expect(one('has:attachments')).toMatchObject({ field: 'has', values: [{ value: 'attachments' }] });
    expect(one('number:1042')).toMatchObject({ field: 'number', op: ':', values: [{ kind: 'number', value: 1042, position: 7 }] });
    expect(one('#1042')).toEqual({ kind: 'field', field: 'number', op: ':', negated: false, position: 0, values: [{ kind: 'number', value: 1042, position: 1 }] });
    expect(one('-#7')).toMatchObject({ negated: true, values: [{ value: 7, position: 2 }] });
    expect(one('subject:"refund request"')).toMatchObject({ field: 'subject', values: [{ value: 'refund request', quoted: true }] });
    expect(one('reopens>2')).toMatchObject({ field: 'reopens', op: '>', values: [{ value: 2 }] });
    expect(one('messages>=3')).toMatchObject({ field: 'messages', op: '>=', values: [{ value: 3 }] });
  });

  it('reads custom fields with raw values, typed later', () => {
    expect(one('cf.plan:gold,"Big Plan"')).toEqual({
      kind: 'custom', key: 'plan', op: ':', negated: false, position: 0,
      values: [{ kind: 'text', value: 'gold', quoted: false, position: 8 }, { kind: 'text', value: 'Big Plan', quoted: true, position: 13 }],
    });
    expect(one('-CF.Amount>100')).toMatchObject({ kind: 'custom', key: 'amount', op: '>', negated: true, position: 0 });
    expect(one('cf.renewal<2026-01-01')).toMatchObject({ kind: 'custom', values: [{ value: '2026-01-01' }] });
  });

  it('reads bare words and quoted phrases as text, with escapes', () => {
    expect(parseFilter('refund "exact phrase" -spam').terms).toEqual([
      { kind: 'text', text: 'refund', phrase: false, negated: false, position: 0 },
      { kind: 'text', text: 'exact phrase', phrase: true, negated: false, position: 7 },
      { kind: 'text', text: 'spam', phrase: false, negated: true, position: 22 },
    ]);
    expect(one('"say \\"hi\\" \\\\ now"')).toMatchObject({ text: 'say "hi" \\ now', phrase: true });
    expect(vals('subject:"a \\"b\\""')[0]).toMatchObject({ value: 'a "b"' });
    expect(one('12:30')).toMatchObject({ kind: 'text', text: '12:30' });
  });

  it('drops text with nothing searchable in it', () => {
    expect(parseFilter('... "!!" refund').terms).toEqual([{ kind: 'text', text: 'refund', phrase: false, negated: false, position: 9 }]);
    expect(parseFilter('   ').terms).toEqual([]);
  });

  it('accepts exactly 2000 characters', () => {
    expect(parseFilter('a'.repeat(2000)).terms).toHaveLength(1);
  });
});

describe('parseFilter: errors point at the problem', () => {
  it.each<[string, number, string]>([
    ['stauts:open', 0, 'Unknown field "stauts" at position 0; expected one of status, priority, type, channel, assignee'],
    ['tag:a -stauts:x', 7, 'Unknown field "stauts" at position 7'],
    ['foo.bar:x', 0, 'Unknown field "foo.bar"'],
    ['status:', 7, 'Expected a value after "status:" at position 7'],
    ['status: open', 7, 'Expected a value after "status:" at position 7'],
    ['status:open,', 12, 'Expected a value after "," at position 12'],
    ['status:,open', 7, 'Expected a value after "status:"'],
    ['status:open,,closed', 12, 'Expected a value after ","'],
    ['status:opne', 7, 'Unknown status "opne" at position 7; expected one of open, in_progress, waiting, resolved, closed'],
    ['status:open,clsoed', 12, 'Unknown status "clsoed" at position 12'],
    ['priority>=hgh', 10, 'Unknown priority "hgh" at position 10; expected one of low, medium, high, urgent'],
    ['type:bug', 5, 'Unknown type "bug"'],
    ['channel:fax', 8, 'Unknown channel "fax"'],
    ['status>open', 6, 'Operator ">" cannot be used with status at position 6; expected :'],
    ['tag<=a', 3, 'Operator "<=" cannot be used with tag'],
    ['priority>=high,urgent', 14, 'Only ":" takes a list of values, not ">=" at position 14'],
    ['subject:"refund', 8, 'Unterminated quote at position 8'],
    ['"refund', 0, 'Unterminated quote at position 0'],
    ['refund -', 8, 'Expected a term after "-" at position 8'],
    ['- refund', 1, 'Expected a term after "-"'],
    ['#abc', 1, 'Expected a ticket number after "#" at position 1'],
    ['#12a', 1, 'Expected a ticket number after "#"'],
    ['created:7d', 8, 'A relative time needs ">" (older than) or "<" (within), as in created<7d at position 8'],
    ['created>yesterday', 8, 'Expected a time like 30m, 24h, 7d, 2w or 2026-01-01 for created at position 8'],
    ['created>7y', 8, 'Expected a time like'],
    ['created>2026-02-30', 8, 'Expected a time like'],
    ['created>2026-13-01', 8, 'Expected a time like'],
    ['created>2026-01-01T25:00Z', 8, 'Expected a time like'],
    ['created>999999w', 8, 'Relative time "999999w" is too far back'],
    ['number:abc', 7, 'Expected a whole number for number at position 7'],
    ['reopens>-1', 8, 'Expected a whole number for reopens'],
    ['number:99999999999999999999', 7, 'Number too large'],
    ['is:flagged', 3, 'Unknown value for "is:" "flagged" at position 3; expected one of starred, spam, unassigned, open, merged'],
    ['has:files', 4, 'Unknown value for "has:" "files"'],
    ['cf.:x', 3, 'Expected a custom field key after "cf." at position 3'],
    ['status:open"x"', 11, 'Unexpected quote inside a value (quotes go around a whole value, as in subject:"a b", with \\" for a quote within) at position 11'],
    // A quote opens a phrase only at the start of a term; inside a word it was read as a letter.
    ['a"b', 1, 'Unexpected quote inside a word (quotes go around a whole word, as in "a b", with \\" for a quote within) at position 1'],
    ['refund a"b c"', 8, 'Unexpected quote inside a word'],
    ['-refund"', 7, 'Unexpected quote inside a word'],
    ['cf.order_id:A-1"', 15, 'Unexpected quote inside a value'],
    ['subject:"a"b', 11, 'Expected "," or a space after a value at position 11'],
    ['"a"b', 3, 'Expected a space after the closing quote at position 3'],
    ['status:""', 8, 'Expected a value inside the quotes after "status:"'],
    ['x'.repeat(2001), 2000, 'Filter is longer than 2000 characters at position 2000'],
    // No boolean operators: read as words they searched the text for "or" and found nothing.
    ['status:open OR priority:high', 12, '"OR" is not an operator here: terms are always combined with AND; list alternatives with commas'],
    ['tag:a AND tag:b', 6, '"AND" is not an operator here'],
    ['NOT tag:spam', 0, 'put "-" before a term'],
    ['-OR', 1, '"OR" is not an operator here'],
    ['(status:open', 0, 'Parentheses are not supported'],
    ['refund -(tag:a', 8, 'Parentheses are not supported'],
    // A ")" that closes no "(" was dropped as punctuation: `status:open )` answered as `status:open`.
    ['status:open )', 12, 'Unmatched ")" (parentheses are not supported: terms are combined with AND, the values of one term (a,b) with OR; quote a ")" to search for it) at position 12'],
    ['status:open) tag:a', 11, 'Unmatched ")"'],
    ['tag:vip,a)', 9, 'Unmatched ")"'],
    ['(printer) jam)', 13, 'Unmatched ")"'],
    ['-)', 1, 'Unmatched ")"'],
  ])('%s -> position %i', (input, position, message) => {
    const e = errorOf(() => parseFilter(input));
    expect(e.code).toBe('filter_syntax');
    expect(e.status).toBe(400);
    expect(e.details).toMatchObject({ position });
    expect(e.message).toContain(message);
  });

  it('still searches for those words in lower case, quoted, or in parentheses that hold no field', () => {
    const texts = parseFilter('or and not "OR" (printer) (a)b (paper jam) ")" "a)"').terms.map((t) => (t.kind === 'text' ? t.text : t.kind));
    expect(texts).toEqual(['or', 'and', 'not', 'OR', '(printer)', '(a)b', '(paper', 'jam)', 'a)']);
    expect(vals('subject:"(draft)",(v2)')).toMatchObject([{ value: '(draft)' }, { value: '(v2)' }]);
  });

  it('gives the position of a stray ")" or quote in details', () => {
    expect(errorOf(() => parseFilter('status:open )')).details).toEqual({ position: 12, found: ')' });
    expect(errorOf(() => parseFilter('a"b')).details).toEqual({ position: 1, found: '"' });
  });

  it('gives expected and found in the details', () => {
    const e = errorOf(() => parseFilter('stauts:open'));
    expect(e.details).toMatchObject({ position: 0, found: 'stauts' });
    expect((e.details as { expected: string[] }).expected).toEqual(expect.arrayContaining(['status', 'priority', 'cf.<key>']));
    expect(errorOf(() => parseFilter('priority:hgh')).details).toMatchObject({ found: 'hgh', expected: ['low', 'medium', 'high', 'urgent'] });
  });
});

describe('resolveFilter', () => {
  const resolve = (input: string, overrides: Partial<FilterResolvers> = {}) => resolveFilter(parseFilter(input), fixtureResolvers(overrides));

  it('looks names up once per kind, lower-cased', async () => {
    const r = fixtureResolvers();
    await resolveFilter(parseFilter('assignee:Dave@Acme.test,me group:Billing,"Tier 2" -group:billing org:ACME requester:Bob@X.com'), r);
    expect(r.calls.sort()).toEqual(['contacts:bob@x.com', 'groups:billing,tier 2', 'orgs:acme', 'users:dave@acme.test']);
    expect((await resolve('status:open')).terms).toHaveLength(1);
  });

  it('turns names, keywords and wording into predicates', async () => {
    const f = await resolve('assignee:me,none group:mine priority>=high created>7d created<2026-01-01 is:open "Refund, please" -cf.plan:GOLD');
    expect(f.terms).toEqual([
      { negated: false, predicate: { kind: 'oneOf', column: 'assigneeId', values: ['u-alice'], orNull: true } },
      { negated: false, predicate: { kind: 'oneOf', column: 'groupId', values: ['g-billing'], orNull: false } },
      { negated: false, predicate: { kind: 'oneOf', column: 'priority', values: ['high', 'urgent'], orNull: false } },
      { negated: false, predicate: { kind: 'time', column: 'createdAt', op: '<', at: { ageMs: 7 * 86_400_000 } } },
      { negated: false, predicate: { kind: 'time', column: 'createdAt', op: '<', at: { iso: '2026-01-01T00:00:00.000Z' } } },
      { negated: false, predicate: { kind: 'open' } },
      { negated: false, predicate: { kind: 'text', query: '"refund please"', words: ['refund', 'please'], phrase: true } },
      { negated: true, predicate: { kind: 'customText', key: 'plan', values: ['gold'], fold: true } },
    ]);
    expect(f.mentions).toEqual({ spam: false, merged: false });
  });

  it('reads a bare date as its whole UTC day whatever the comparison', async () => {
    const at = async (q: string) => (await resolve(q)).terms[0]!.predicate;
    const day = { iso: '2026-03-01T00:00:00.000Z' };
    const next = { iso: '2026-03-02T00:00:00.000Z' };
    expect(await at('created<2026-03-01')).toEqual({ kind: 'time', column: 'createdAt', op: '<', at: day });
    expect(await at('created<=2026-03-01')).toEqual({ kind: 'time', column: 'createdAt', op: '<', at: next });
    expect(await at('created>2026-03-01')).toEqual({ kind: 'time', column: 'createdAt', op: '>=', at: next });
    expect(await at('created>=2026-03-01')).toEqual({ kind: 'time', column: 'createdAt', op: '>=', at: day });
    expect(await at('created<=2026-03-01T10:00:00Z')).toEqual({ kind: 'time', column: 'createdAt', op: '<=', at: { iso: '2026-03-01T10:00:00.000Z' } });
  });

  it('records whether spam and merged tickets were asked about', async () => {
    expect((await resolve('-is:spam')).mentions).toEqual({ spam: true, merged: false });
    expect((await resolve('is:open,merged')).mentions).toEqual({ spam: false, merged: true });
  });

  it('lets group:mine match nothing when the actor has no groups', async () => {
    expect((await resolve('group:mine', { actorGroupIds: [] })).terms[0]!.predicate).toEqual({ kind: 'oneOf', column: 'groupId', values: [], orNull: false });
  });

  it.each<[string, number, string]>([
    ['group:xyz', 6, 'Unknown group "xyz" at position 6'],
    ['group:"none"', 6, 'Unknown group "none" at position 6'],
    ['status:open assignee:nobody@x.test', 21, 'Unknown user "nobody@x.test" at position 21'],
    ['requester:zed@x.com', 10, 'Unknown requester "zed@x.com" at position 10'],
    ['org:"No Co"', 4, 'Unknown organization "No Co" at position 4'],
    ['cf.nope:1', 0, 'Unknown custom field "cf.nope" at position 0; expected one of cf.order_id, cf.plan'],
    ['status:open -cf.nope:1', 13, 'Unknown custom field "cf.nope" at position 13'],
    ['cf.plan>gold', 7, 'Operator ">" cannot be used with cf.plan (dropdown) at position 7'],
    ['cf.amount:abc', 10, 'Expected a number for cf.amount at position 10'],
    ['cf.vip:maybe', 7, 'Expected true or false at position 7'],
    ['cf.renewal<soon', 11, 'Expected a date like 2026-01-01 for cf.renewal at position 11'],
    ['cf.renewal<2026-02-30', 11, 'Expected a date like 2026-01-01'],
    ['cf.amount>none', 10, '"none" takes ":" (cf.amount:none) at position 10'],
  ])('%s -> position %i', async (input, position, message) => {
    const e = await asyncErrorOf(() => resolve(input));
    expect(e.code).toBe('filter_syntax');
    expect(e.details).toMatchObject({ position });
    expect(e.message).toContain(message);
  });

  // An admin may remove an option that tickets still hold; they must stay findable. Which values
  // were once options is not kept, so any value is taken (it was "Unknown option").
  it('takes a choice that is not (or no longer) an option, in lower case', async () => {
    const at = async (q: string) => (await resolve(q)).terms[0]!.predicate;
    expect(await at('cf.plan:Platinum,GOLD')).toEqual({ kind: 'customText', key: 'plan', values: ['platinum', 'gold'], fold: true });
    expect(await at('cf.plan:"none"')).toEqual({ kind: 'customText', key: 'plan', values: ['none'], fold: true });
    expect(await at('cf.features:SSO,sms')).toEqual({
      kind: 'any',
      of: [{ kind: 'customHas', key: 'features', value: 'sso' }, { kind: 'customHas', key: 'features', value: 'sms' }],
    });
  });

  it('needs an actor for me and is:starred', async () => {
    const noActor = { actorUserId: null };
    expect((await asyncErrorOf(() => resolve('assignee:me', noActor))).details).toMatchObject({ position: 9 });
    expect((await asyncErrorOf(() => resolve('status:open is:starred', noActor))).message).toBe('"is:starred" needs a signed-in user at position 15');
  });
});

describe('matchesFilter', () => {
  const resolvers = fixtureResolvers();
  const visibleIds = async (input: string) => {
    const f = await resolveFilter(parseFilter(input), resolvers);
    return TICKETS.filter((t) => matchesFilter(f, t, NOW)).map((t) => t.id);
  };

  it.each(CASES)('%s', async (input, expected) => {
    expect(await visibleIds(input)).toEqual(expected);
  });

  it('finds tickets holding a choice whose option was removed, whatever the case', async () => {
    // Silver and audit were options when t2 was saved with them; an admin has since removed them.
    const removed = fixtureResolvers({
      customFields: [
        { key: 'plan', type: 'dropdown', options: ['Gold', 'Bronze'] },
        { key: 'features', type: 'multi_select', options: ['sso', 'api'] },
      ],
    });
    const ids = async (input: string) => {
      const f = await resolveFilter(parseFilter(input), removed);
      return TICKETS.filter((t) => matchesFilter(f, t, NOW)).map((t) => t.id);
    };
    expect(await ids('cf.plan:silver')).toEqual(['t2']);
    expect(await ids('cf.plan:SILVER,gold')).toEqual(['t1', 't2']);
    expect(await ids('cf.features:Audit')).toEqual(['t2']);
    expect(await ids('cf.features:API')).toEqual(['t1']);
    expect(await ids('-cf.features:audit')).toEqual(['t1', 't3', 't6', 't7']);
    expect(await ids('cf.plan:platinum')).toEqual([]);
  });

  it('treats a missing text as matching no text term', async () => {
    const f = await resolveFilter(parseFilter('refund'), resolvers);
    expect(matchesFilter(f, { ...TICKETS[0]!, text: undefined }, NOW)).toBe(false);
  });

  it('moves relative times with now', async () => {
    const f = await resolveFilter(parseFilter('created<24h'), resolvers);
    const t2 = TICKETS[1]!;
    expect(matchesFilter(f, t2, NOW)).toBe(true);
    expect(matchesFilter(f, t2, new Date(NOW.getTime() + 23 * 3_600_000))).toBe(false);
  });
});

describe('describeFilterFields', () => {
  it('lists every field with operators and values, custom fields last', () => {
    const fields = describeFilterFields(fixtureResolvers().customFields);
    expect(fields.map((f) => f.name)).toEqual([...FILTER_FIELDS.map((f) => f.name), 'cf.order_id', 'cf.plan', 'cf.amount', 'cf.vip', 'cf.renewal', 'cf.features']);
    expect(fields.find((f) => f.name === 'priority')).toMatchObject({ operators: [':', '>', '>=', '<', '<='], values: ['low', 'medium', 'high', 'urgent'] });
    expect(fields.find((f) => f.name === 'organization')).toMatchObject({ aliases: ['org'], keywords: ['none'] });
    expect(fields.find((f) => f.name === 'cf.plan')).toMatchObject({ operators: [':'], values: ['Gold', 'Silver', 'Bronze'] });
    expect(fields.find((f) => f.name === 'cf.amount')!.operators).toContain('>=');
  });
});
