import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type ApiClient, type TestApp } from '../support/test-app.js';
import { deliverAndProcess, mail, setupSupportMailbox } from '../mail/mail-support.js';

interface FieldJson {
  id: string;
  key: string;
  label: string;
  type: string;
  options: string[];
  requiredForTypes: string[];
  position: number;
  active: boolean;
}

const paths = (res: LightMyRequestResponse): string[] => (res.json().error?.details?.fields ?? []).map((f: { path: string }) => f.path);
const enc = encodeURIComponent;

describeEachDialect('custom ticket fields', (dialect) => {
  let t: TestApp;
  let agent: ApiClient;
  const fields: Record<string, FieldJson> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    agent = await t.user({ role: 'agent', name: 'Fiona Fields' });
  });
  afterAll(() => t.close());

  const ticket = (over: Record<string, unknown>) => agent.post('/api/v1/tickets', { subject: 'Custom fields', requester: { email: 'cf@customer.test' }, message: { body: 'hello' }, ...over });
  const ticketCount = async () => (await agent.get('/api/v1/tickets?limit=200')).json().items.length as number;

  it('an admin defines text, number, dropdown, multi-select, checkbox and date fields', async () => {
    const defs = [
      { key: 'order_ref', label: 'Order reference', type: 'text', position: 1 },
      { key: 'amount', label: 'Amount (EUR)', type: 'number', position: 2 },
      { key: 'severity', label: 'Severity', type: 'dropdown', options: ['sev1', 'sev2', 'sev3'], requiredForTypes: ['incident'], position: 3 },
      { key: 'products', label: 'Products', type: 'multi_select', options: ['kettle', 'toaster', 'fridge', 'kettle'], position: 4 },
      { key: 'warranty', label: 'Under warranty', type: 'checkbox', position: 5 },
      { key: 'purchased_on', label: 'Purchased on', type: 'date', position: 6 },
    ];
    for (const def of defs) {
      const res = await t.admin.post('/api/v1/custom-fields', def);
      expect(res.statusCode, res.body).toBe(201);
      fields[def.key] = res.json();
    }
    expect(fields.severity).toMatchObject({ key: 'severity', type: 'dropdown', options: ['sev1', 'sev2', 'sev3'], requiredForTypes: ['incident'], active: true });
    expect(fields.products!.options).toEqual(['kettle', 'toaster', 'fridge']);
    const listed = (await agent.get('/api/v1/custom-fields')).json().items as FieldJson[];
    expect(listed.map((f) => [f.key, f.type])).toEqual([
      ['order_ref', 'text'],
      ['amount', 'number'],
      ['severity', 'dropdown'],
      ['products', 'multi_select'],
      ['warranty', 'checkbox'],
      ['purchased_on', 'date'],
    ]);
    const described = (await agent.get('/api/v1/tickets/filter-fields')).json().fields as { name: string; operators: string[]; values: string[] }[];
    expect(described.find((f) => f.name === 'cf.amount')).toMatchObject({ operators: [':', '>', '>=', '<', '<='] });
    expect(described.find((f) => f.name === 'cf.severity')).toMatchObject({ operators: [':'], values: ['sev1', 'sev2', 'sev3'] });
  });

  it('refuses bad definitions naming the field, and duplicate keys with 409', async () => {
    const dup = await t.admin.post('/api/v1/custom-fields', { key: 'amount', label: 'Again', type: 'number' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details).toMatchObject({ field: 'key' });
    const noOptions = await t.admin.post('/api/v1/custom-fields', { key: 'colour', label: 'Colour', type: 'dropdown' });
    expect(noOptions.statusCode).toBe(400);
    expect(paths(noOptions)).toEqual(['options']);
    const textWithOptions = await t.admin.post('/api/v1/custom-fields', { key: 'motto', label: 'Motto', type: 'text', options: ['a'] });
    expect([textWithOptions.statusCode, paths(textWithOptions)]).toEqual([400, ['options']]);
    const amount = (await agent.get('/api/v1/custom-fields')).json().items.find((f: FieldJson) => f.key === 'amount');
    expect((await t.admin.patch(`/api/v1/custom-fields/${amount.id}`, { options: ['1'] })).statusCode).toBe(400);
    const severity = (await agent.get('/api/v1/custom-fields')).json().items.find((f: FieldJson) => f.key === 'severity');
    expect((await t.admin.patch(`/api/v1/custom-fields/${severity.id}`, { requiredForTypes: ['incident', 'incident'] })).json().requiredForTypes).toEqual(['incident']);
    const badKey = await t.admin.post('/api/v1/custom-fields', { key: '9 lives', label: 'Lives', type: 'spaceship', requiredForTypes: ['meeting'] });
    expect(badKey.statusCode).toBe(400);
    expect(paths(badKey)).toEqual(expect.arrayContaining(['body.key', 'body.type', 'body.requiredForTypes.0']));
    expect((await agent.get('/api/v1/custom-fields')).json().items).toHaveLength(6);
  });

  it('a field required for incidents must be given when an incident is created', async () => {
    const before = await ticketCount();
    const missing = await ticket({ type: 'incident', customFields: { amount: 10 } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('validation_failed');
    expect(paths(missing)).toEqual(['customFields.severity']);
    const empty = await ticket({ type: 'incident', customFields: { severity: null } });
    expect(empty.statusCode).toBe(400);
    expect(paths(empty)).toEqual(['customFields.severity']);
    expect(await ticketCount()).toBe(before);
    const ok = await ticket({ type: 'incident', customFields: { severity: 'sev2' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ type: 'incident', customFields: { severity: 'sev2' } });
    // Other types do not need it.
    expect((await ticket({ type: 'question' })).statusCode).toBe(201);
  });

  it('refuses values of the wrong type and unknown keys, naming customFields.<key>, and stores nothing', async () => {
    const before = await ticketCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: 'lots' }, 'customFields.amount'],
      [{ amount: true }, 'customFields.amount'],
      [{ order_ref: 42 }, 'customFields.order_ref'],
      [{ severity: 'sev9' }, 'customFields.severity'],
      [{ severity: ['sev1'] }, 'customFields.severity'],
      [{ products: 'kettle' }, 'customFields.products'],
      [{ products: ['kettle', 'spoon'] }, 'customFields.products'],
      [{ warranty: 'yes' }, 'customFields.warranty'],
      [{ purchased_on: '02/03/2026' }, 'customFields.purchased_on'],
      [{ purchased_on: '2026-13-45' }, 'customFields.purchased_on'],
      // Well formed but not in the calendar: February has no 30th, 2025 no 29th.
      [{ purchased_on: '2026-02-30' }, 'customFields.purchased_on'],
      [{ purchased_on: '2025-02-29' }, 'customFields.purchased_on'],
      [{ purchased_on: '2026-04-31' }, 'customFields.purchased_on'],
      [{ colour: 'red' }, 'customFields.colour'],
    ];
    for (const [customFields, path] of cases) {
      const res = await ticket({ customFields });
      expect(res.statusCode, JSON.stringify(customFields)).toBe(400);
      expect(paths(res), JSON.stringify(customFields)).toEqual([path]);
    }
    const nested = await ticket({ customFields: { amount: { value: 1 } } });
    expect(nested.statusCode).toBe(400);
    expect(paths(nested)[0]).toMatch(/^body\.customFields\.amount/);
    expect(await ticketCount()).toBe(before);

    const tk = await createTicket(agent, { customFields: { amount: 5 } });
    const patch = await agent.patch(`/api/v1/tickets/${tk.number}`, { customFields: { amount: 'six' } });
    expect(patch.statusCode).toBe(400);
    expect(paths(patch)).toEqual(['customFields.amount']);
    expect((await agent.get(`/api/v1/tickets/${tk.number}`)).json().customFields).toEqual({ amount: 5 });
  });

  it('values round-trip on GET; PATCH merges, and null clears a value', async () => {
    const values = { order_ref: 'A-1001', amount: 149.5, severity: 'sev1', products: ['toaster', 'kettle', 'toaster'], warranty: true, purchased_on: '2025-12-24' };
    const created = await createTicket(agent, { type: 'incident', customFields: values });
    const expected = { ...values, products: ['toaster', 'kettle'] };
    expect(created.customFields).toEqual(expected);
    expect((await agent.get(`/api/v1/tickets/${created.number}`)).json().customFields).toEqual(expected);

    const patched = await agent.patch(`/api/v1/tickets/${created.number}`, { customFields: { amount: null, warranty: false, order_ref: 'A-1002' } });
    expect(patched.statusCode).toBe(200);
    const after = { order_ref: 'A-1002', severity: 'sev1', products: ['toaster', 'kettle'], warranty: false, purchased_on: '2025-12-24' };
    expect(patched.json().customFields).toEqual(after);
    expect((await agent.get(`/api/v1/tickets/${created.number}`)).json().customFields).toEqual(after);
    const events = (await agent.get(`/api/v1/tickets/${created.number}/events?action=custom_fields_changed`)).json().items;
    expect(events).toHaveLength(1);
    expect(events[0].from).toMatchObject({ amount: 149.5, warranty: true, order_ref: 'A-1001' });
    expect(events[0].to).toEqual(after);
    // null on create means "no value" too.
    expect((await createTicket(agent, { customFields: { amount: null, order_ref: 'N-1' } })).customFields).toEqual({ order_ref: 'N-1' });
    // Clearing a value that is not set changes nothing and records nothing.
    await agent.patch(`/api/v1/tickets/${created.number}`, { customFields: { amount: null } });
    expect((await agent.get(`/api/v1/tickets/${created.number}/events?action=custom_fields_changed`)).json().items).toHaveLength(1);
  });

  it('filters tickets by custom fields with cf.<key> in the filter language', async () => {
    const mk = async (customFields: Record<string, unknown>) => (await createTicket(agent, { subject: 'cf filter', tags: ['cffilter'], customFields })).number;
    const big = await mk({ amount: 1000, severity: 'sev1', products: ['fridge'], warranty: true, purchased_on: '2024-06-01', order_ref: 'B-1' });
    const mid = await mk({ amount: 150, severity: 'sev2', products: ['kettle', 'toaster'], warranty: false, purchased_on: '2026-01-15' });
    const small = await mk({ amount: 99.5, products: ['toaster'], order_ref: 'B-2' });
    const hundred = await mk({ amount: 100, severity: 'sev1' });
    const none = await mk({});
    const q = async (expr: string) => {
      const res = await agent.get(`/api/v1/tickets?limit=200&sort=number_asc&q=${enc(`tag:cffilter ${expr}`)}`);
      expect(res.statusCode, `${expr}: ${res.body}`).toBe(200);
      return res.json().items.map((i: { number: number }) => i.number);
    };
    expect(await q('cf.amount>100')).toEqual([big, mid]);
    expect(await q('cf.amount>=100')).toEqual([big, mid, hundred]);
    expect(await q('cf.amount<100')).toEqual([small]);
    expect(await q('cf.amount:100')).toEqual([hundred]);
    expect(await q('cf.severity:sev1')).toEqual([big, hundred]);
    expect(await q('cf.severity:SEV2,sev3')).toEqual([mid]);
    expect(await q('-cf.severity:sev1')).toEqual([mid, small, none]);
    expect(await q('cf.products:toaster')).toEqual([mid, small]);
    expect(await q('cf.products:fridge,kettle')).toEqual([big, mid]);
    expect(await q('cf.warranty:true')).toEqual([big]);
    expect(await q('cf.warranty:false')).toEqual([mid, small, hundred, none]);
    expect(await q('cf.purchased_on<2025-01-01')).toEqual([big]);
    expect(await q('cf.purchased_on>=2025-01-01')).toEqual([mid]);
    expect(await q('cf.order_ref:B-2')).toEqual([small]);
    expect(await q('cf.amount>100 cf.products:kettle')).toEqual([mid]);
    // A choice that is no option today may be one an admin removed, still held by tickets: it is
    // looked for, not refused.
    expect(await q('cf.severity:sev9')).toEqual([]);

    const errors: [string, number][] = [
      ['cf.colour:red', 13],
      ['cf.amount:lots', 23],
      ['cf.severity>sev1', 24],
    ];
    for (const [expr, position] of errors) {
      const res = await agent.get(`/api/v1/tickets?q=${enc(`tag:cffilter ${expr}`)}`);
      expect(res.statusCode, expr).toBe(400);
      expect(res.json().error, expr).toMatchObject({ code: 'filter_syntax', details: { position } });
    }
  });

  it('a deactivated field is refused on new writes, keeps stored values, and can be cleared', async () => {
    const tk = await createTicket(agent, { customFields: { order_ref: 'KEEP-1', amount: 7 } });
    const off = await t.admin.patch(`/api/v1/custom-fields/${fields.order_ref!.id}`, { active: false });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ key: 'order_ref', active: false });
    expect(((await agent.get('/api/v1/custom-fields')).json().items as FieldJson[]).find((f) => f.key === 'order_ref')!.active).toBe(false);

    const create = await ticket({ customFields: { order_ref: 'NEW-1' } });
    expect(create.statusCode).toBe(400);
    expect(paths(create)).toEqual(['customFields.order_ref']);
    const patch = await agent.patch(`/api/v1/tickets/${tk.number}`, { customFields: { order_ref: 'NEW-2' } });
    expect(patch.statusCode).toBe(400);
    expect(paths(patch)).toEqual(['customFields.order_ref']);
    // What was stored stays readable, and other fields can still change next to it.
    const other = await agent.patch(`/api/v1/tickets/${tk.number}`, { customFields: { amount: 8 } });
    expect(other.statusCode).toBe(200);
    expect(other.json().customFields).toEqual({ order_ref: 'KEEP-1', amount: 8 });
    // Clearing an old value is not a new write.
    const cleared = await agent.patch(`/api/v1/tickets/${tk.number}`, { customFields: { order_ref: null } });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().customFields).toEqual({ amount: 8 });

    // A deactivated required field is no longer required.
    await t.admin.patch(`/api/v1/custom-fields/${fields.severity!.id}`, { active: false });
    const incident = await ticket({ type: 'incident' });
    expect(incident.statusCode).toBe(201);
    expect(incident.json().customFields).toEqual({});
    // Reactivated, it is accepted (and required) again.
    await t.admin.patch(`/api/v1/custom-fields/${fields.order_ref!.id}`, { active: true });
    await t.admin.patch(`/api/v1/custom-fields/${fields.severity!.id}`, { active: true });
    expect((await ticket({ customFields: { order_ref: 'NEW-3' } })).json().customFields).toEqual({ order_ref: 'NEW-3' });
    expect(paths(await ticket({ type: 'incident' }))).toEqual(['customFields.severity']);
  });

  it('only admins define or change fields', async () => {
    expect((await agent.post('/api/v1/custom-fields', { key: 'agent_field', label: 'Nope', type: 'text' })).statusCode).toBe(403);
    expect((await agent.patch(`/api/v1/custom-fields/${fields.amount!.id}`, { active: false })).statusCode).toBe(403);
    expect(((await agent.get('/api/v1/custom-fields')).json().items as FieldJson[]).find((f) => f.key === 'amount')!.active).toBe(true);
    const relabel = await t.admin.patch(`/api/v1/custom-fields/${fields.amount!.id}`, { label: 'Amount (USD)', position: 9 });
    expect(relabel.json()).toMatchObject({ key: 'amount', type: 'number', label: 'Amount (USD)', position: 9 });
    expect((await t.admin.patch('/api/v1/custom-fields/00000000-0000-7000-8000-000000000000', { label: 'x' })).statusCode).toBe(404);
  });
});

describeEachDialect('custom fields required after a change', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('changing the type to one that requires a field, or clearing it, is refused until the field is given', async () => {
    await t.admin.post('/api/v1/custom-fields', { key: 'severity', label: 'Severity', type: 'dropdown', options: ['s1', 's2'], requiredForTypes: ['incident'] });
    const tk = await createTicket(t.admin, { type: 'question' });
    const refused = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { type: 'incident' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0].path).toBe('customFields.severity');
    expect((await t.admin.get(`/api/v1/tickets/${tk.number}`)).json().type).toBe('question');
    const ok = await t.admin.patch(`/api/v1/tickets/${tk.number}`, { type: 'incident', customFields: { severity: 's2' } });
    expect(ok.json()).toMatchObject({ type: 'incident', customFields: { severity: 's2' } });
    expect((await t.admin.patch(`/api/v1/tickets/${tk.number}`, { customFields: { severity: null } })).statusCode).toBe(400);
  });

  it('a required text field refuses text that shows nothing, and text is stored without blank ends', async () => {
    await t.admin.post('/api/v1/custom-fields', { key: 'note', label: 'Note', type: 'text', requiredForTypes: ['incident'] });
    await t.admin.post('/api/v1/custom-fields', { key: 'areas', label: 'Areas', type: 'multi_select', options: ['a', 'b'], requiredForTypes: ['incident'] });
    const incident = (customFields: Record<string, unknown>) =>
      t.admin.post('/api/v1/tickets', { subject: 'Blank note', type: 'incident', requester: { email: 'blank@customer.test' }, message: { body: 'x' }, customFields: { severity: 's1', areas: ['a'], ...customFields } });
    for (const note of ['   ', '', null, '\t\n', '\u00a0\u200b', '\u2800\u3164', '\u200e\ufeff']) {
      const res = await incident({ note });
      expect(res.statusCode, JSON.stringify(note)).toBe(400);
      expect(paths(res), JSON.stringify(note)).toEqual(['customFields.note']);
    }
    const noChoice = await incident({ note: 'n', areas: [] });
    expect(noChoice.statusCode).toBe(400);
    expect(paths(noChoice)).toEqual(['customFields.areas']);

    const ok = await incident({ note: ' \u200bINC-7  ' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().customFields.note).toBe('INC-7');
    const number = ok.json().number as number;
    expect((await t.admin.get(`/api/v1/tickets?q=${encodeURIComponent('cf.note:INC-7')}`)).json().items.map((i: { number: number }) => i.number)).toEqual([number]);
    const blanked = await t.admin.patch(`/api/v1/tickets/${number}`, { customFields: { note: '  ' } });
    expect(blanked.statusCode).toBe(400);
    expect(paths(blanked)).toEqual(['customFields.note']);
    expect((await t.admin.get(`/api/v1/tickets/${number}`)).json().customFields.note).toBe('INC-7');
    // A ticket of another type may leave it blank; the value is kept trimmed.
    const problem = await createTicket(t.admin, { type: 'problem', customFields: { note: '   ' } });
    expect(problem.customFields).toEqual({ note: '' });
  });

  it('never turns a customer away: a mail arriving without a required field still becomes a ticket', async () => {
    await t.admin.post('/api/v1/custom-fields', { key: 'order_no', label: 'Order number', type: 'text', requiredForTypes: ['question'] });
    await setupSupportMailbox(t);
    const row = await deliverAndProcess(t, mail({ from: 'kim@customer.test', subject: 'Where is my parcel?', messageId: '<parcel@customer.test>' }));
    expect(row.status).toBe('processed');
    const ticket = (await t.admin.get(`/api/v1/tickets/${row.ticketNumber}`)).json();
    expect(ticket).toMatchObject({ subject: 'Where is my parcel?', type: 'question' });
    // An agent creating a question by hand is still asked for it.
    const byAgent = await t.admin.post('/api/v1/tickets', { subject: 'Phone note', type: 'question', requester: { email: 'kim@customer.test' }, message: { body: 'Called in' } });
    expect(byAgent.statusCode).toBe(400);
    expect(byAgent.json().error.details.fields[0].path).toBe('customFields.order_no');
  });
});
