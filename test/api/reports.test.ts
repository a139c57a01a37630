import { afterAll, beforeAll, expect, it } from 'vitest';
import { reportQuery } from '../../contracts/reports.js';
import { digestJob } from '../../server/modules/reports/index.js';
import { runReport } from '../../server/modules/reports/reports.service.js';
import { smtpSender } from '../../server/platform/mail/mail-sender.js';
import { startSmtpSink } from '../mail/smtp-sink.js';
import { emit } from '../../server/platform/events/emit.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

type Row = { cells: Record<string, string | number | null>; links: Record<string, string> };
type Table = { id: string; rows: Row[]; totals: Row | null };

/*
 * A fixed data set, imported with historical timestamps, in America/New_York around the end of
 * daylight saving time (2025-11-02 06:00Z: 02:00 EDT -> 01:00 EST). Expected figures are worked
 * out by hand in the comments.
 *
 *   E  created 10-30 12:00Z (10-30 local), open, unassigned             (before the range)
 *   A  created 10-31 14:00Z (10-31), high, email, G1, agent1, tag billing; reply +30 min; resolved 10-31 16:00Z (+120 min)
 *   B  created 11-01 03:30Z = 23:30 EDT on 10-31 -> local day 10-31 (UTC says 11-01); open, unassigned, chat, tags billing+vip
 *   C  created 11-02 05:30Z = 01:30 EDT (11-02), urgent, G1, agent1; reply +120 min; closed 11-03 05:30Z = 00:30 EST (11-03), +1440 min
 *   D  created 11-03 04:30Z = 23:30 EST on 11-02 -> local 11-02 (UTC says 11-03); low, G2, agent2; reply +60 min;
 *      resolved 11-03 06:00Z, reopened 11-04 15:00Z, resolved again 11-04 16:00Z (local 11-04; +2130 min)
 *   F  created 11-01 12:00Z, merged into A: counted once, as A
 */
describeEachDialect('reports', (dialect) => {
  let t: TestApp;
  let boss: ApiClient;
  let agent: ApiClient;
  const n: Record<string, number> = {};
  const id: Record<string, string> = {};
  const a1 = `a1-${dialect}@tessera.test`;
  const a2 = `a2-${dialect}@tessera.test`;
  const range = 'from=2025-10-31&to=2025-11-04';

  const ticket = (over: Record<string, unknown>, messages: { kind: string; at: string; author?: string }[]) => ({
    subject: 'Report fixture',
    requester: { email: 'rep@customer.test' },
    ...over,
    messages: messages.map((m) => ({ kind: m.kind, body: `${m.kind} at ${m.at}`, createdAt: m.at, ...(m.author ? { authorEmail: m.author } : {}) })),
  });

  beforeAll(async () => {
    t = await createTestApp(dialect, { start: '2025-11-04T15:00:00.000Z' });
    boss = await t.user({ role: 'supervisor', name: 'Sue Supervisor' });
    agent = await t.user({ role: 'agent', name: 'Plain Agent' });
    await t.user({ role: 'agent', name: 'Agent One', email: a1 });
    await t.user({ role: 'agent', name: 'Agent Two', email: a2 });
    expect((await t.admin.patch('/api/v1/settings', { timeZone: 'America/New_York' })).statusCode).toBe(200);
    await t.admin.post('/api/v1/groups', { name: 'G1' });
    await t.admin.post('/api/v1/groups', { name: 'G2' });
    // Rollups exist from the start, so everything below reaches them through ticket events.
    expect((await t.admin.post('/api/v1/reports/rollups/rebuild')).json()).toEqual({ timeZone: 'America/New_York', tickets: 0 });
    const res = await t.admin.post('/api/v1/import/tickets', {
      tickets: [
        { externalId: 'E', ...ticket({ status: 'open', createdAt: '2025-10-30T12:00:00.000Z', groupName: 'G1' }, [{ kind: 'customer', at: '2025-10-30T12:00:00.000Z' }]) },
        {
          externalId: 'A',
          ...ticket({ status: 'resolved', priority: 'high', groupName: 'G1', assigneeEmail: a1, tags: ['billing'], createdAt: '2025-10-31T14:00:00.000Z', statusChangedAt: '2025-10-31T16:00:00.000Z' }, [
            { kind: 'customer', at: '2025-10-31T14:00:00.000Z' },
            { kind: 'reply', at: '2025-10-31T14:30:00.000Z', author: a1 },
          ]),
        },
        { externalId: 'B', ...ticket({ status: 'open', channel: 'chat', tags: ['billing', 'vip'], createdAt: '2025-11-01T03:30:00.000Z' }, [{ kind: 'customer', at: '2025-11-01T03:30:00.000Z' }]) },
        {
          externalId: 'C',
          ...ticket({ status: 'closed', priority: 'urgent', groupName: 'G1', assigneeEmail: a1, createdAt: '2025-11-02T05:30:00.000Z', statusChangedAt: '2025-11-03T05:30:00.000Z' }, [
            { kind: 'customer', at: '2025-11-02T05:30:00.000Z' },
            { kind: 'reply', at: '2025-11-02T07:30:00.000Z', author: a1 },
          ]),
        },
        {
          externalId: 'D',
          ...ticket({ status: 'resolved', priority: 'low', groupName: 'G2', assigneeEmail: a2, createdAt: '2025-11-03T04:30:00.000Z', statusChangedAt: '2025-11-03T06:00:00.000Z' }, [
            { kind: 'customer', at: '2025-11-03T04:30:00.000Z' },
            { kind: 'reply', at: '2025-11-03T05:30:00.000Z', author: a2 },
          ]),
        },
        { externalId: 'F', ...ticket({ status: 'open', createdAt: '2025-11-01T12:00:00.000Z' }, [{ kind: 'customer', at: '2025-11-01T12:00:00.000Z' }]) },
      ],
    });
    expect(res.statusCode).toBe(201);
    for (const x of res.json().imported as { externalId: string; number: number }[]) n[x.externalId] = x.number;
    for (const k of Object.keys(n)) id[k] = (await t.admin.get(`/api/v1/tickets/${n[k]}`)).json().id;
    expect((await t.admin.post(`/api/v1/tickets/${n.A}/merge`, { sourceNumbers: [n.F] })).statusCode).toBe(200);
    expect((await t.admin.patch(`/api/v1/tickets/${n.D}`, { status: 'open' })).statusCode).toBe(200);
    t.clock.set('2025-11-04T16:00:00.000Z');
    expect((await t.admin.patch(`/api/v1/tickets/${n.D}`, { status: 'resolved' })).statusCode).toBe(200);
    // Ratings arrive as the CSAT module's events. The breaches of the imported history (the
    // default policy, around the clock) come from the import itself: B (medium, first response
    // due after 1440 min, never answered), and C (urgent: answered after 120 min of 60, closed
    // after 1440 of 240); A answered in 30 of 240 min, D in 60 of 2880.
    const ctx = t.systemCtx();
    await emit(ctx, 'csat.rated', { ticketId: id.A!, number: n.A!, rating: 1, scale: 'good_bad', comment: 'Quick, thanks', contactId: null });
    await emit(ctx, 'csat.rated', { ticketId: id.C!, number: n.C!, rating: 2, scale: 'five', comment: null, contactId: null });
    await t.deps.events.idle();
    t.clock.set('2025-11-05T12:00:00.000Z');
  });
  afterAll(() => t.close());

  const report = async (name: string, query = ''): Promise<{ tables: Table[]; filter: string }> => {
    const res = await boss.get(`/api/v1/reports/${name}?${range}${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const table = (r: { tables: Table[] }, tid: string) => r.tables.find((x) => x.id === tid)!;
  const numbersBehind = async (q: string) =>
    ((await boss.get(`/api/v1/tickets?limit=200&q=${encodeURIComponent(q)}`)).json().items as { number: number }[]).map((x) => x.number).sort((a, b) => a - b);

  it('counts created, resolved and reopened per local day across the DST change, merged tickets once', async () => {
    const r = await report('volume');
    const rows = table(r, 'volume').rows.map((x) => [x.cells.period, x.cells.created, x.cells.resolved, x.cells.reopened]);
    expect(rows).toEqual([
      ['2025-10-31', 2, 1, 0],
      ['2025-11-01', 0, 0, 0],
      ['2025-11-02', 2, 0, 0],
      ['2025-11-03', 0, 1, 0],
      ['2025-11-04', 0, 1, 1],
    ]);
    expect(table(r, 'volume').totals!.cells).toMatchObject({ created: 4, resolved: 3, reopened: 1 });
    // The figure's drill-down lists exactly the tickets behind it.
    const oct31 = table(r, 'volume').rows[0]!;
    expect(await numbersBehind(oct31.links.created!)).toEqual([n.A, n.B].sort((a, b) => a! - b!));
    expect(await numbersBehind(table(r, 'volume').rows[2]!.links.created!)).toEqual([n.C, n.D].sort((a, b) => a! - b!));
    expect(await numbersBehind(table(r, 'volume').rows[4]!.links.resolved!)).toEqual([n.D]);
  });

  it('rolls days up into weeks and splits by tag and group', async () => {
    // Weeks start on Monday: 11-02 (Sunday, C and D by local time) belongs to the week of 10-27.
    const weeks = await report('volume', '&interval=week');
    expect(table(weeks, 'volume').rows.map((x) => [x.cells.period, x.cells.created, x.cells.resolved])).toEqual([
      ['2025-10-27', 4, 1],
      ['2025-11-03', 0, 2],
    ]);
    const byTag = await report('volume', '&by=tag&interval=month');
    const cells = table(byTag, 'volume').rows.map((x) => [x.cells.period, x.cells.key, x.cells.created]);
    expect(cells).toEqual([
      ['2025-10-01', 'billing', 2],
      ['2025-10-01', 'vip', 1],
      ['2025-11-01', 'No tag', 2],
    ]);
    expect(table(byTag, 'volume').totals!.cells.created).toBe(4);
    const g1 = await report('volume', '&group=G1');
    expect(table(g1, 'volume').totals!.cells).toMatchObject({ created: 2, resolved: 2 });
    expect(g1.filter).toBe('group:G1');
  });

  it('computes first response and resolution times: average, median and 90th percentile', async () => {
    const r = await report('speed');
    expect(table(r, 'speed').totals!.cells).toMatchObject({
      answered: 3,
      firstResponseAvg: 70,
      firstResponseMedian: 60,
      firstResponseP90: 120,
      resolved: 3,
      resolutionAvg: 1230,
      resolutionMedian: 1440,
      resolutionP90: 2100,
    });
    const byPriority = await report('speed', '&by=priority');
    expect(table(byPriority, 'speed').rows.find((x) => x.cells.key === 'urgent')!.cells).toMatchObject({ answered: 1, firstResponseAvg: 120, resolutionMedian: 1440 });
  });

  it('names for each bar chart the figures it draws, all in one unit, so counts never dwarf rates or minutes', async () => {
    const charted: string[] = [];
    for (const name of ['speed', 'quality', 'agents', 'time', 'sla']) {
      for (const tb of (await report(name, name === 'speed' || name === 'quality' ? '&by=priority' : '')).tables) {
        const { columns, chartSeries: series, chart } = tb as Table & { columns: { key: string; kind: string }[]; chart: string; chartSeries?: { key: string }[] };
        if (chart !== 'bar') continue;
        expect(series, tb.id).toBeDefined();
        const kinds = new Set(series!.map((s) => columns.find((c) => c.key === s.key)?.kind));
        expect([...kinds], tb.id).toHaveLength(1);
        expect(kinds.has(undefined), tb.id).toBe(false);
        charted.push(tb.id);
      }
    }
    expect(charted).toEqual(expect.arrayContaining(['speed', 'quality', 'agents', 'sla-priority', 'sla-policy']));
    const speed = table(await report('speed', '&by=priority'), 'speed') as Table & { chartSeries: { key: string }[] };
    expect(speed.chartSeries.map((s) => s.key)).toEqual(['firstResponseMedian', 'firstResponseP90', 'resolutionMedian', 'resolutionP90']);
  });

  it('counts business hours of a calendar across the weekend and a holiday', async () => {
    // New York, Monday to Friday 09:00-17:00. First responses: A Fri 10:00 -> 10:30 EDT (30);
    // C Sun 01:30 -> 02:30 (0); D Sun 23:30 -> Mon 00:30 EST (0). Resolutions: A Fri 10:00 -> 12:00
    // (120); C Sun 01:30 -> Mon 00:30 (0); D Sun 23:30 -> Tue 11:00: Monday 11-03 is a holiday, so
    // 120 (600 without the holiday: Monday's 480 + 120).
    const week = { start: '09:00', end: '17:00' };
    const hours = { monday: [week], tuesday: [week], wednesday: [week], thursday: [week], friday: [week] };
    const mk = async (holidays: string[]) => (await t.admin.post('/api/v1/sla/calendars', { name: `NY ${holidays.length}`, timeZone: 'America/New_York', weeklyHours: hours, holidays })).json().id as string;
    const withHoliday = await report('speed', `&calendar=${await mk(['2025-11-03'])}`);
    expect(table(withHoliday, 'speed').totals!.cells).toMatchObject({ answered: 3, firstResponseAvg: 10, firstResponseMedian: 0, firstResponseP90: 30, resolved: 3, resolutionAvg: 80, resolutionMedian: 120, resolutionP90: 120 });
    const noHoliday = await report('speed', `&calendar=${await mk([])}&by=priority`);
    expect(table(noHoliday, 'speed').totals!.cells).toMatchObject({ resolutionAvg: 240, resolutionMedian: 120, resolutionP90: 600 });
    expect(table(noHoliday, 'speed').rows.find((x) => x.cells.key === 'low')!.cells).toMatchObject({ resolved: 1, resolutionAvg: 600 });
    expect((await boss.get(`/api/v1/reports/speed?${range}&calendar=00000000-0000-7000-8000-000000000000`)).statusCode).toBe(404);
  });

  it('shows the backlog over time and open tickets by status and age', async () => {
    const r = await report('backlog');
    expect(table(r, 'backlog').rows.map((x) => x.cells.open)).toEqual([2, 2, 4, 3, 2]);
    expect(await numbersBehind(table(r, 'backlog').rows[2]!.links.open!)).toEqual([n.B, n.C, n.D, n.E].sort((a, b) => a! - b!));
    const now = table(r, 'open-now');
    expect(now.totals!.cells).toMatchObject({ total: 2, unassigned: 2, '3_7d': 2 });
    expect(now.rows.find((x) => x.cells.status === 'open')!.cells.total).toBe(2);
    // "Today" is the mini dashboard's own figures, from the same queries.
    const dash = (await boss.get('/api/v1/dashboard')).json();
    expect(table(r, 'today').rows[0]!.cells).toMatchObject({ createdToday: dash.everyone.createdToday, resolvedToday: dash.everyone.resolvedToday, unassigned: 2, waiting: 0 });
  });

  it('scopes "today" to a restricted supervisor\'s tickets, as the rest of the backlog report', async () => {
    const g1 = ((await t.admin.get('/api/v1/groups')).json().items as { id: string; name: string }[]).find((g) => g.name === 'G1')!.id;
    const sup = await t.user({ role: 'supervisor', name: 'G1 Supervisor', groupIds: [g1], restrictedToGroups: true });
    const res = await sup.get(`/api/v1/reports/backlog?${range}`);
    expect(res.statusCode).toBe(200);
    const r = res.json() as { tables: (Table & { title: string })[] };
    // Open and unassigned: E (G1) and B (no group); the supervisor may see E only.
    expect(table(r, 'open-now').totals!.cells).toMatchObject({ total: 1, unassigned: 1 });
    expect(table(r, 'today').rows[0]!.cells).toMatchObject({ unassigned: 1, inProgress: 0, waiting: 0 });
    expect(r.tables.find((x) => x.id === 'today')!.title).toBe('Today (America/New_York), tickets you can see');
    const dash = (await sup.get('/api/v1/dashboard')).json();
    expect(table(r, 'today').rows[0]!.cells).toMatchObject({ createdToday: dash.everyone.createdToday, unassigned: dash.everyone.unassigned });
  });

  it('reports reopen rate, CSAT and SLA compliance', async () => {
    const q = await report('quality');
    expect(q.tables[0]!.totals!.cells).toMatchObject({ resolved: 3, reopened: 1, reopenRate: 0.333, rated: 2, csatScore: 0.5, csatResponseRate: 0.667, comments: 1 });
    expect(await numbersBehind(q.tables[0]!.totals!.links.reopened!)).toEqual([n.D]);
    const sla = await report('sla');
    expect(table(sla, 'sla-priority').totals!.cells).toMatchObject({ tickets: 4, first_responseBreached: 2, first_responseMet: 0.5, resolutionBreached: 1, resolutionMet: 0.75 });
    expect(table(sla, 'sla-priority').rows.find((x) => x.cells.key === 'urgent')!.cells).toMatchObject({ tickets: 1, first_responseMet: 0 });
    expect(table(sla, 'sla-policy').rows).toEqual([{ cells: { key: 'Default', first_response: 2, next_response: 0, resolution: 1 }, links: {} }]);
  });

  it('breaks figures down per agent, with time logged', async () => {
    t.clock.set('2025-11-04T18:00:00.000Z');
    const a1Client = await t.user({ role: 'agent', name: 'Timer', email: `timer-${dialect}@tessera.test` });
    expect((await a1Client.post(`/api/v1/tickets/${n.A}/time-entries`, { minutes: 45, date: '2025-11-01' })).statusCode).toBe(201);
    expect((await a1Client.post(`/api/v1/tickets/${n.D}/time-entries`, { minutes: 15, date: '2025-11-05' })).statusCode).toBe(201);
    // The rollups take time logged from its ticket.time_logged event, dispatched after commit.
    await t.deps.events.idle();
    t.clock.set('2025-11-05T12:00:00.000Z');
    const r = await report('agents');
    const byName = Object.fromEntries(r.tables[0]!.rows.map((x) => [x.cells.agent, x.cells]));
    expect(byName['Agent One']).toMatchObject({ assigned: 2, resolvedOfAssigned: 2, resolutionRate: 1, resolved: 2, replies: 2, ticketsReplied: 2, avgFirstResponse: 75, csatScore: 0.5 });
    expect(byName['Agent Two']).toMatchObject({ assigned: 1, resolved: 1, replies: 1, avgFirstResponse: 60 });
    expect(byName.Timer).toMatchObject({ minutesLogged: 45 });
    const time = await report('time');
    expect(table(time, 'time-type').totals!.cells.minutes).toBe(45);
  });

  it('exports every report as CSV and the tickets behind it in a stream', async () => {
    const csv = await boss.get(`/api/v1/reports/volume/csv?${range}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('Period,Tickets,Created,Resolved,Reopened\r\n2025-10-31,All tickets,2,1,0\r\n');
    const tickets = await boss.get(`/api/v1/reports/tickets.csv?${range}`);
    const lines = tickets.body.trim().split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain(`${n.A},Report fixture,resolved,high`);
    expect(lines[1]!.endsWith(',30,120,0')).toBe(true);
  });

  it('keeps daily rollups from ticket events that agree with the live queries and with a rebuild', async () => {
    await t.deps.events.idle();
    const ctx = t.systemCtx();
    const cells = await t.deps.database.db.selectFrom('report_daily').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    expect(Number(cells!.n)).toBeGreaterThan(0);
    const dims = ['none', 'channel', 'group', 'priority', 'type', 'agent', 'organization', 'tag'] as const;
    const compare = async () => {
      for (const by of dims) {
        for (const interval of ['day', 'month'] as const) {
          const input = reportQuery.parse({ from: '2025-10-01', to: '2025-11-05', by, interval });
          expect(await runReport(ctx, 'volume', input)).toEqual(await runReport(ctx, 'volume', input, { live: true }));
        }
      }
      const input = reportQuery.parse({ from: '2025-11-01', to: '2025-11-04' });
      expect(await runReport(ctx, 'backlog', input)).toEqual(await runReport(ctx, 'backlog', input, { live: true }));
      // Speed, quality and CSAT per split, and the agents (replies counted once per ticket even
      // when the range starts after an agent's earlier reply day), from the daily stats.
      for (const by of dims) {
        for (const name of ['speed', 'quality', 'csat'] as const) {
          const q = reportQuery.parse({ from: '2025-10-31', to: '2025-11-04', by });
          expect(await runReport(ctx, name, q)).toEqual(await runReport(ctx, name, q, { live: true }));
        }
      }
      for (const from of ['2025-10-31', '2025-11-03', '2025-11-04', '2025-11-05']) {
        const q = reportQuery.parse({ from, to: '2025-11-05' });
        expect(await runReport(ctx, 'agents', q)).toEqual(await runReport(ctx, 'agents', q, { live: true }));
        expect(await runReport(ctx, 'time', q)).toEqual(await runReport(ctx, 'time', q, { live: true }));
      }
    };
    // Replies on B on 11-03 and 11-05 by one agent: the second reply day has a gap of two days.
    const three = await t.user({ role: 'agent', name: 'Agent Three', email: `a3-${dialect}@tessera.test` });
    for (const at of ['2025-11-03T15:00:00.000Z', '2025-11-05T11:00:00.000Z']) {
      t.clock.set(at);
      expect((await three.post(`/api/v1/tickets/${n.B}/messages`, { kind: 'reply', body: `Reply at ${at}` })).statusCode).toBe(201);
    }
    await t.deps.events.idle();
    t.clock.set('2025-11-05T12:00:00.000Z');
    await compare();
    // Time by Agent Three: B 20 + 10 min on 11-03 and 30 min on 11-05, C 25 min on 11-04; then
    // the 11-05 entry becomes 40 min on 11-04 and one 11-03 entry is deleted. Left: B 20 (11-03)
    // and 40 (11-04), C 25 (11-04). Timer's entries from above: A 45 (11-01), D 15 (11-05).
    const logged: string[] = [];
    for (const [num, minutes, date] of [[n.B, 20, '2025-11-03'], [n.B, 10, '2025-11-03'], [n.B, 30, '2025-11-05'], [n.C, 25, '2025-11-04']] as const) {
      const res = await three.post(`/api/v1/tickets/${num}/time-entries`, { minutes, date });
      expect(res.statusCode).toBe(201);
      logged.push(res.json().id);
    }
    await t.deps.events.idle();
    await compare();
    expect((await three.patch(`/api/v1/time-entries/${logged[2]}`, { minutes: 40, date: '2025-11-04' })).statusCode).toBe(200);
    expect((await three.delete(`/api/v1/time-entries/${logged[1]}`)).statusCode).toBe(200);
    // Tags after the tickets were counted: A billing -> refund; vip (on B) renamed to key-account.
    expect((await t.admin.patch(`/api/v1/tickets/${n.A}`, { tags: ['refund'] })).statusCode).toBe(200);
    expect((await t.admin.patch('/api/v1/tags/vip', { name: 'key-account' })).statusCode).toBe(200);
    await t.deps.events.idle();
    await compare();
    // One commit that changes four counted tickets (with tags, time, replies): their rollups move in one batch.
    expect((await t.admin.post('/api/v1/tickets/bulk', { numbers: [n.A, n.B, n.C, n.D], changes: { priority: 'urgent' } })).statusCode).toBe(200);
    await t.deps.events.idle();
    await compare();
    const timeBy = async (from: string) => {
      const r = await runReport(ctx, 'time', reportQuery.parse({ from, to: '2025-11-05' }));
      const agents = r.tables.find((x) => x.id === 'time-agent')!;
      return { agents: Object.fromEntries(agents.rows.map((x) => [x.cells.key, [x.cells.minutes, x.cells.entries, x.cells.tickets]])), types: r.tables.find((x) => x.id === 'time-type')!.totals!.cells };
    };
    // B worked on 11-03 and 11-04 counts once.
    expect(await timeBy('2025-11-01')).toEqual({ agents: { 'Agent Three': [85, 3, 2], Timer: [60, 2, 2] }, types: expect.objectContaining({ minutes: 145, entries: 5 }) });
    expect(await timeBy('2025-11-04')).toEqual({ agents: { 'Agent Three': [65, 2, 2], Timer: [15, 1, 1] }, types: expect.objectContaining({ minutes: 80, entries: 3 }) });
    const byTag = await runReport(ctx, 'volume', reportQuery.parse({ from: '2025-10-31', to: '2025-11-04', by: 'tag', interval: 'month' }));
    expect(byTag.tables[0]!.rows.map((x) => [x.cells.period, x.cells.key, x.cells.created])).toEqual([
      ['2025-10-01', 'billing', 1],
      ['2025-10-01', 'key-account', 1],
      ['2025-10-01', 'refund', 1],
      ['2025-11-01', 'No tag', 2],
    ]);
    const replied = async (from: string) => (await runReport(ctx, 'agents', reportQuery.parse({ from, to: '2025-11-05' }))).tables[0]!.rows.find((x) => x.cells.agent === 'Agent Three')!.cells;
    expect(await replied('2025-11-03')).toMatchObject({ replies: 2, ticketsReplied: 1 });
    expect(await replied('2025-11-04')).toMatchObject({ replies: 1, ticketsReplied: 1 });
    expect((await t.admin.post('/api/v1/reports/rollups/rebuild')).json()).toEqual({ timeZone: 'America/New_York', tickets: 5 });
    await compare();
  });

  it('checks the rollups against the live figures from the event log and repairs drift', async () => {
    const check = async () => (await t.admin.post('/api/v1/reports/rollups/check')).json();
    expect(await check()).toEqual({ from: '2025-08-08', to: '2025-11-05', mismatches: [], rebuilt: false });
    expect((await boss.post('/api/v1/reports/rollups/check')).statusCode).toBe(403);
    // A drifted cell: one first response of the fixture counted twice.
    await t.deps.database.db.updateTable('report_daily_stats').set({ n: 2 }).where('metric', '=', 'first_response').where('dim', '=', 'priority').where('key', '=', 'urgent').execute();
    const drifted = await check();
    expect(drifted.mismatches).toEqual(['speed by priority']);
    expect(drifted.rebuilt).toBe(true);
    expect((await check()).mismatches).toEqual([]);
  });

  it('mails the daily digest to the chosen managers once, when the local hour has come', async () => {
    const bossId = boss.userId;
    expect((await t.admin.patch('/api/v1/reports/digest', { recipientIds: [agent.userId] })).statusCode).toBe(400);
    const set = await t.admin.patch('/api/v1/reports/digest', { enabled: true, frequency: 'daily', hour: 8, recipientIds: [bossId] });
    expect(set.json()).toMatchObject({ enabled: true, frequency: 'daily', hour: 8, recipientIds: [bossId], lastSentFor: null });
    const audits = (await t.admin.get('/api/v1/audit-log?action=settings.updated')).json().items.filter((a: { targetId: string }) => a.targetId === 'digest');
    // One entry: the refused change (a recipient who is no manager) wrote nothing.
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: t.admin.userId, targetType: 'settings', data: { before: { enabled: false }, after: { enabled: true, hour: 8, recipientIds: [bossId] } } });
    expect((await boss.patch('/api/v1/reports/digest', { hour: 9 })).statusCode).toBe(403);
    const sink = await startSmtpSink();
    try {
      const job = digestJob(smtpSender(sink.url), { fromAddress: 'reports@tessera.test', warn: () => undefined });
      t.clock.set('2025-11-05T12:30:00.000Z'); // 07:30 in New York: not yet
      await job.handler(t.systemCtx(), {});
      expect(sink.mails).toHaveLength(0);
      t.clock.set('2025-11-05T13:05:00.000Z'); // 08:05: due, for yesterday (11-04)
      await job.handler(t.systemCtx(), {});
      await job.handler(t.systemCtx(), {});
      expect(sink.mails).toHaveLength(1);
      const mail = sink.mails[0]!;
      expect(mail.envelope.to).toEqual([boss.email]);
      expect(mail.parsed.subject).toBe('Daily support digest: 2025-11-04');
      expect(mail.parsed.text).toContain('Tickets created: 0\nTickets resolved: 1\nReopened: 1');
      expect((await boss.get('/api/v1/reports/digest')).json().lastSentFor).toBe('2025-11-05');
    } finally {
      await sink.close();
      t.clock.set('2025-11-05T12:00:00.000Z');
    }
  });

  it('is for supervisors and admins, and names bad input', async () => {
    expect((await agent.get(`/api/v1/reports/volume?${range}`)).statusCode).toBe(403);
    const bad = await boss.get('/api/v1/reports/volume?from=2025-11-05&to=2025-11-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    expect((await boss.get(`/api/v1/reports/volume?${range}&q=${encodeURIComponent('priority:sky-high')}`)).json().error.code).toBe('filter_syntax');
    expect((await boss.get('/api/v1/reports/nonsense')).statusCode).toBe(400);
  });

  it('documents every report endpoint in OpenAPI', async () => {
    const paths = Object.keys((await t.anonymous.get('/api/v1/openapi.json')).json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/reports/{report}', '/api/v1/reports/{report}/csv', '/api/v1/reports/tickets.csv', '/api/v1/reports/digest', '/api/v1/reports/rollups/rebuild', '/api/v1/reports/rollups/check']));
  });
});
