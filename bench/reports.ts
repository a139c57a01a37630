/**
 * Reports benchmark: `npm run bench -- --reports [--tickets 1000000] [--days 90] [--skip-generate] [--db postgres]`.
 * Writes a report-shaped data set straight into the migrated tables (tickets with tags,
 * status and reply events, time entries; no messages or search rows, which reports never
 * read), then times each main report through the same service the API calls.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from '../server/platform/context.js';
import { systemActor } from '../server/platform/context.js';
import type { AnyDb, Database } from '../server/platform/db/database.js';
import { updateSettings } from '../server/modules/auth/settings.service.js';
import { runReport } from '../server/modules/reports/reports.service.js';
import { ensureRollups } from '../server/modules/reports/rollups.service.js';
import { getDashboard } from '../server/modules/tickets/dashboard.service.js';
import { seededRng, pick } from './generate.js';
import { openBenchDatabase } from './bench-database.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const CHANNELS = ['email', 'email', 'email', 'chat', 'chat', 'web_form', 'phone', 'api'];
const PRIORITIES = ['low', 'medium', 'medium', 'medium', 'high', 'urgent'];
const TYPES = ['question', 'question', 'incident', 'problem', 'task'];
const TAGS = ['billing', 'refund', 'login', 'bug', 'shipping', 'invoice', 'vip', 'api', 'outage', 'feedback'];

async function insertRows(db: AnyDb, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length) await db.insertInto(table).values(rows).execute();
}

/** Exponential-ish durations: most short, a long tail. */
const duration = (r: () => number, meanMs: number) => Math.floor(-Math.log(1 - r() * 0.999) * meanMs);

async function generate(database: Database, tickets: number, days: number, now: number): Promise<void> {
  const db = database.db;
  const r = seededRng(7);
  const agents = Array.from({ length: 50 }, () => randomUUID());
  const groups = Array.from({ length: 10 }, () => randomUUID());
  const start = now - days * DAY;
  const BATCH = 500;
  const started = performance.now();
  for (let done = 0; done < tickets; ) {
    const n = Math.min(20_000, tickets - done);
    await db.transaction().execute(async (tx) => {
      let t: Record<string, unknown>[] = [];
      let tags: Record<string, unknown>[] = [];
      let events: Record<string, unknown>[] = [];
      let time: Record<string, unknown>[] = [];
      // Tickets first: tags, events and time entries reference them.
      const flush = async (force: boolean) => {
        if (!force && t.length < BATCH) return;
        await insertRows(tx, 'tickets', t);
        for (let k = 0; k < tags.length; k += BATCH) await insertRows(tx, 'ticket_tags', tags.slice(k, k + BATCH));
        for (let k = 0; k < events.length; k += BATCH) await insertRows(tx, 'ticket_events', events.slice(k, k + BATCH));
        await insertRows(tx, 'time_entries', time);
        t = [];
        tags = [];
        events = [];
        time = [];
      };
      for (let i = 0; i < n; i++) {
        const number = done + i + 1;
        const id = randomUUID();
        const created = start + Math.floor(((number - 1) / tickets) * days * DAY) + Math.floor(r() * 60_000);
        const assignee = r() < 0.9 ? pick(r, agents) : null;
        const answered = r() < 0.9 ? created + duration(r, 2 * 3_600_000) : null;
        let resolved: number | null = r() < 0.85 ? (answered ?? created) + duration(r, 20 * 3_600_000) : null;
        if (resolved !== null && resolved > now) resolved = null;
        const reopened = resolved !== null && r() < 0.05;
        const status = resolved === null ? pick(r, ['open', 'in_progress', 'waiting']) : r() < 0.5 ? 'closed' : 'resolved';
        t.push({
          id,
          number,
          subject: `Bench ticket ${number}`,
          status,
          is_open: resolved === null ? 1 : 0,
          priority: pick(r, PRIORITIES),
          type: pick(r, TYPES),
          channel: pick(r, CHANNELS),
          requester_id: randomUUID(),
          organization_id: null,
          assignee_id: assignee,
          group_id: pick(r, groups),
          spam: 0,
          custom_fields: '{}',
          first_response_at: answered !== null && answered <= now ? iso(answered) : null,
          resolved_at: resolved !== null ? iso(resolved) : null,
          closed_at: status === 'closed' ? iso(resolved!) : null,
          reopen_count: reopened ? 1 : 0,
          message_count: 2,
          created_at: iso(created),
          updated_at: iso(resolved ?? answered ?? created),
        });
        for (const tag of TAGS) if (r() < 0.08) tags.push({ ticket_id: id, tag });
        const ev = (action: string, at: number, from: unknown, to: unknown, actor: string | null = null) =>
          events.push({ id: randomUUID(), ticket_id: id, actor_type: actor ? 'user' : 'system', actor_id: actor, action, from_value: JSON.stringify(from), to_value: JSON.stringify(to), data: '{}', at: iso(at) });
        ev('created', created, null, { status: 'open' });
        if (answered !== null && answered <= now) ev('message_added', answered, null, { kind: 'reply' }, assignee);
        if (resolved !== null) {
          if (reopened) {
            const first = created + Math.floor((resolved - created) / 2);
            ev('status_changed', first, 'in_progress', 'resolved');
            ev('status_changed', first + 60_000, 'resolved', 'open');
          }
          ev('status_changed', resolved, 'in_progress', status);
        }
        if (assignee && r() < 0.1) time.push({ id: randomUUID(), ticket_id: id, user_id: assignee, minutes: 5 + Math.floor(r() * 55), note: '', work_date: iso(created).slice(0, 10), created_at: iso(created), updated_at: iso(created) });
        await flush(false);
      }
      await flush(true);
    });
    done += n;
    process.stdout.write(`\rreports bench: generated ${done}/${tickets} tickets (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  process.stdout.write('\n');
  if (database.dialect === 'sqlite') await sql`ANALYZE`.execute(db);
  else await sql`ANALYZE`.execute(db);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchReports(argv: string[]): Promise<void> {
  const { database, tickets, fresh, values } = await openBenchDatabase(argv, 'reports', { extra: { days: { type: 'string', default: '90' } }, suffix: (v) => `-${String(v.days)}d` });
  const days = Number(values.days);
  // The data set ends at a fixed instant so a reused file measures the same thing.
  const now = Date.parse('2026-11-20T12:00:00.000Z');
  if (fresh) await generate(database, tickets, days, now);
  const events = { kick: () => undefined };
  const ctx: Ctx = { actor: systemActor('bench'), requestId: 'bench', now: new Date(now), db: database.db, events };
  await updateSettings(ctx, { timeZone: 'Europe/Berlin' });
  const built = performance.now();
  if (await ensureRollups(ctx)) console.log(`reports bench: daily rollups rebuilt in ${((performance.now() - built) / 1000).toFixed(1)} s`);
  const to = new Date(now).toISOString().slice(0, 10);
  const from = new Date(now - (days - 1) * DAY).toISOString().slice(0, 10);
  const base = { from, to, interval: 'day' as const, by: 'none' as const };
  const cases: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'volume by day', run: () => runReport(ctx, 'volume', base) },
    { name: 'volume by week, by channel', run: () => runReport(ctx, 'volume', { ...base, interval: 'week', by: 'channel' }) },
    { name: 'volume by tag', run: () => runReport(ctx, 'volume', { ...base, interval: 'month', by: 'tag' }) },
    { name: 'speed (all)', run: () => runReport(ctx, 'speed', base) },
    { name: 'speed by priority', run: () => runReport(ctx, 'speed', { ...base, by: 'priority' }) },
    { name: 'backlog', run: () => runReport(ctx, 'backlog', base) },
    { name: 'quality by group', run: () => runReport(ctx, 'quality', { ...base, by: 'group' }) },
    { name: 'agents', run: () => runReport(ctx, 'agents', base) },
    { name: 'time tracking', run: () => runReport(ctx, 'time', base) },
    { name: 'sla', run: () => runReport(ctx, 'sla', base) },
    { name: 'volume by day, live (no rollups)', run: () => runReport(ctx, 'volume', base, { live: true }) },
    { name: 'volume, 7 days, filter priority:urgent', run: () => runReport(ctx, 'volume', { ...base, from: new Date(now - 6 * DAY).toISOString().slice(0, 10), q: 'priority:urgent' }) },
  ];
  const userCtx: Ctx = { ...ctx, actor: { type: 'user', id: 'bench-agent', role: 'agent', name: 'Bench', email: 'bench@bench.test', groupIds: [], restricted: false } };
  cases.push({ name: 'mini dashboard', run: () => getDashboard(userCtx) });
  const count = (await sql<{ n: number }>`SELECT count(*) AS n FROM tickets`.execute(database.db)).rows[0]!.n;
  console.log(`\nreports bench: ${database.dialect}, ${Number(count)} tickets over ${days} days, range ${from}..${to} (Europe/Berlin)\n`);
  console.log('| report | first ms | median ms (5 runs) |');
  console.log('|---|---:|---:|');
  for (const c of cases) {
    const t0 = performance.now();
    await c.run();
    const first = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      await c.run();
      times.push(performance.now() - s);
    }
    console.log(`| ${c.name} | ${first.toFixed(0)} | ${median(times).toFixed(0)} |`);
  }
  await database.close();
}
