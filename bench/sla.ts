/**
 * SLA benchmark: `npm run bench -- --sla [--tickets 1000000] [--skip-generate] [--db postgres]`.
 * Writes a year of tickets straight into the migrated schema with the SLA state the default
 * policy gives them (computed by the same pure clock the service uses; most tickets closed and
 * met, the open ones with running clocks spread over the last weeks), then times:
 * - sweeps (`sweepSla`, what the every-minute job runs): the first one catches up on every clock
 *   already past its warning or due time, the steady state finds nothing, and one a minute later
 *   finds what came due in that minute;
 * - recomputation (`refreshTicketSla`, what an event or a policy change runs per ticket) over a
 *   sample of open tickets, and a policy change re-timing every ticket under a narrower policy.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { sweepSla } from '../server/modules/sla/index.js';
import { computeSla, summarize, type ClockTicket } from '../server/modules/sla/sla-clock.js';
import { recomputePolicy } from '../server/modules/sla/sla-recompute.job.js';
import { refreshTicketSla } from '../server/modules/sla/ticket-sla.service.js';
import type { PolicyTargets } from '../contracts/sla.js';
import { systemActor, type Ctx } from '../server/platform/context.js';
import type { Database } from '../server/platform/db/database.js';
import { uuidv7 } from '../server/platform/ids.js';
import { pick, seededRng } from './generate.js';
import { openBenchDatabase } from './bench-database.js';

const DAY = 86_400_000;
const DEFAULT_POLICY = '00000000-0000-7000-8000-0000000051a0';
const iso = (ms: number) => new Date(ms).toISOString();

async function defaultTargets(database: Database): Promise<PolicyTargets> {
  const row = await sql<{ targets: string }>`SELECT targets FROM sla_policies WHERE id = ${DEFAULT_POLICY}`.execute(database.db);
  return JSON.parse(row.rows[0]!.targets) as PolicyTargets;
}

async function generate(database: Database, tickets: number, now: number): Promise<void> {
  const db = database.db;
  const r = seededRng(12);
  const targets = await defaultTargets(database);
  const policy = { id: DEFAULT_POLICY, targets, warningPercent: 75 };
  const start = now - 365 * DAY;
  const started = performance.now();
  if (database.dialect === 'sqlite') await sql`PRAGMA cache_size = -262144`.execute(db);
  for (let done = 0; done < tickets; ) {
    const n = Math.min(10_000, tickets - done);
    await db.transaction().execute(async (tx) => {
      const rows: Record<string, unknown>[] = [];
      const heads: Record<string, unknown>[] = [];
      const clocks: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const number = done + i + 1;
        // 8% still open; their creation spread over the last three weeks, so some clocks are long due and some still running.
        const active = r() < 0.08;
        const created = active ? now - Math.floor(r() * 21 * DAY) : start + Math.floor(((number - 1) / tickets) * 350 * DAY);
        const status = active ? pick(r, ['open', 'open', 'in_progress', 'waiting']) : 'closed';
        const answered = active ? r() < 0.5 : true;
        const firstResponseAt = answered ? iso(created + Math.floor(r() * 6 * 3_600_000)) : null;
        const resolvedAt = active ? null : iso(created + Math.floor(r() * 3 * DAY));
        // Time-ordered ids, as the app makes them: inserts stay at the right edge of the indexes.
        const t: ClockTicket = { id: uuidv7(created), priority: pick(r, ['low', 'medium', 'medium', 'high', 'urgent']), status, spam: false, mergedIntoId: null, createdAt: iso(created), firstResponseAt, resolvedAt };
        const state = computeSla(undefined, { ticket: t, policy, calendar: null, appliedBy: 'match', now: firstResponseAt ?? iso(created) });
        const sum = summarize(state, t);
        rows.push({
          id: t.id,
          number,
          subject: `Bench ticket ${number}`,
          status,
          is_open: active ? 1 : 0,
          priority: t.priority,
          type: 'question',
          channel: 'email',
          requester_id: randomUUID(),
          spam: 0,
          custom_fields: '{}',
          first_response_at: firstResponseAt,
          resolved_at: resolvedAt,
          closed_at: resolvedAt,
          reopen_count: 0,
          message_count: 2,
          created_at: t.createdAt,
          updated_at: resolvedAt ?? firstResponseAt ?? t.createdAt,
          sla_target: sum?.target ?? null,
          sla_due_at: sum?.dueAt ?? null,
          sla_breached: 0,
          sla_paused: sum?.paused ? 1 : 0,
        });
        heads.push({ ticket_id: t.id, policy_id: DEFAULT_POLICY, priority: t.priority, applied_by: 'match', paused_at: state.pausedAt, updated_at: t.createdAt });
        for (const c of state.targets) {
          clocks.push({ ticket_id: t.id, target: c.target, minutes: c.minutes, start_at: c.startAt, paused_ms: 0, due_at: c.dueAt, warn_at: c.warnAt, met_at: c.metAt, warned_at: null, breached_at: c.breachedAt, next_check_at: c.nextCheckAt });
        }
      }
      for (let i = 0; i < rows.length; i += 500) await tx.insertInto('tickets').values(rows.slice(i, i + 500)).execute();
      for (let i = 0; i < heads.length; i += 1000) await tx.insertInto('ticket_sla').values(heads.slice(i, i + 1000)).execute();
      for (let i = 0; i < clocks.length; i += 500) await tx.insertInto('ticket_sla_targets').values(clocks.slice(i, i + 500)).execute();
    });
    done += n;
    process.stdout.write(`\rsla bench: generated ${done}/${tickets} tickets (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  process.stdout.write('\n');
  await sql`ANALYZE`.execute(db);
}

export async function benchSla(argv: string[]): Promise<void> {
  const { database, tickets, fresh } = await openBenchDatabase(argv, 'sla');
  const now = Date.parse('2026-11-20T12:00:00.000Z');
  if (fresh) await generate(database, tickets, now);
  const ctxAt = (ms: number): Ctx => ({ actor: systemActor('bench'), requestId: 'bench', now: new Date(ms), db: database.db, events: { kick: () => undefined } });
  const count = async (q: string) => Number((await sql<{ n: number }>`${sql.raw(q)}`.execute(database.db)).rows[0]!.n);
  console.log(`\nsla bench: ${database.dialect}, ${await count('SELECT count(*) AS n FROM tickets')} tickets, ${await count('SELECT count(*) AS n FROM ticket_sla_targets')} SLA targets, ${await count('SELECT count(*) AS n FROM ticket_sla_targets WHERE next_check_at IS NOT NULL')} clocks running\n`);
  console.log('| step | ms | tickets | warned | breached |');
  console.log('|---|---:|---:|---:|---:|');
  const sweepRow = async (name: string, at: number) => {
    const t0 = performance.now();
    const r = await sweepSla(ctxAt(at));
    console.log(`| sweep: ${name} | ${(performance.now() - t0).toFixed(0)} | | ${r.warned} | ${r.breached} |`);
  };
  await sweepRow('first (catch-up on every clock already due)', now);
  await sweepRow('steady state (nothing due)', now);
  await sweepRow('one minute later', now + 60_000);
  await sweepRow('one hour later', now + 3_600_000);

  const sample = (await sql<{ id: string }>`SELECT id FROM tickets WHERE is_open = 1 ORDER BY number LIMIT 5000`.execute(database.db)).rows.map((x) => x.id);
  let t0 = performance.now();
  await database.db.transaction().execute(async (trx) => {
    for (const id of sample) await refreshTicketSla({ ...ctxAt(now + 3_600_000), db: trx }, id, { rematch: true });
  });
  let ms = performance.now() - t0;
  console.log(`| recompute: ${sample.length} open tickets (policy matched again), ${((sample.length / ms) * 1000).toFixed(0)} tickets/s | ${ms.toFixed(0)} | ${sample.length} | | |`);

  // A policy change re-times every ticket under it: move 20,000 tickets to a second policy and change it.
  const second = randomUUID();
  await sql`INSERT INTO sla_policies (id, name, position, condition, targets, business_time, calendar_id, warning_percent, active, created_at, updated_at)
    SELECT ${second}, 'Bench narrow', 10, 'tag:bench', targets, 0, NULL, 75, 1, created_at, updated_at FROM sla_policies WHERE id = ${DEFAULT_POLICY}`.execute(database.db);
  await sql`UPDATE ticket_sla SET policy_id = ${second}, applied_by = 'rule' WHERE ticket_id IN (SELECT ticket_id FROM ticket_sla ORDER BY ticket_id LIMIT 20000)`.execute(database.db);
  t0 = performance.now();
  const n = await recomputePolicy(ctxAt(now + 3_600_000), second);
  ms = performance.now() - t0;
  console.log(`| recompute: policy change re-times its ${n} tickets, ${((n / ms) * 1000).toFixed(0)} tickets/s | ${ms.toFixed(0)} | ${n} | | |`);
  await database.close();
}
