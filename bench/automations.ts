/**
 * Time-rule sweep benchmark: `npm run bench -- --automations [--tickets 1000000] [--skip-generate] [--db postgres]`.
 * Writes a ticket table straight into the migrated schema (a year of tickets, most closed; the
 * open ones spread over the last weeks), sets up the usual time rules through the service an
 * admin's API call uses, then times full sweeps: the first one (catching up on every ticket that
 * already matches), a steady-state one (nothing new: what runs every minute), and one after a
 * thousand tickets newly start waiting on the customer.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createGroup } from '../server/modules/auth/index.js';
import { sweepTimeRules, type SweepResult } from '../server/modules/automations/index.js';
import { createRule } from '../server/modules/automations/rules.service.js';
import { systemActor, type Ctx } from '../server/platform/context.js';
import type { Database } from '../server/platform/db/database.js';
import { pick, seededRng } from './generate.js';
import { openBenchDatabase } from './bench-database.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function generate(database: Database, tickets: number, now: number): Promise<void> {
  const db = database.db;
  const r = seededRng(11);
  const groups = Array.from({ length: 10 }, () => randomUUID());
  const start = now - 365 * DAY;
  const started = performance.now();
  for (let done = 0; done < tickets; ) {
    const n = Math.min(20_000, tickets - done);
    await db.transaction().execute(async (tx) => {
      let rows: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const number = done + i + 1;
        const created = start + Math.floor(((number - 1) / tickets) * 365 * DAY);
        // 8% still open (open / in progress / waiting), the rest resolved or closed as a help desk that keeps up.
        const active = r() < 0.08;
        const touched = active ? now - Math.floor(r() * 20 * DAY) : created + Math.floor(r() * 3 * DAY);
        const status = active ? pick(r, ['open', 'in_progress', 'waiting']) : touched > now - 7 * DAY && r() < 0.5 ? 'resolved' : 'closed';
        const answered = r() < 0.9;
        rows.push({
          id: randomUUID(),
          number,
          subject: `Bench ticket ${number}`,
          status,
          is_open: active ? 1 : 0,
          priority: pick(r, ['low', 'medium', 'medium', 'high', 'urgent']),
          type: 'question',
          channel: 'email',
          requester_id: randomUUID(),
          organization_id: null,
          assignee_id: null,
          group_id: pick(r, groups),
          spam: 0,
          custom_fields: '{}',
          first_response_at: answered ? iso(Math.min(created + 3_600_000, now)) : null,
          resolved_at: active ? null : iso(touched),
          closed_at: status === 'closed' ? iso(touched) : null,
          reopen_count: 0,
          message_count: 2,
          created_at: iso(Math.min(created, touched)),
          updated_at: iso(touched),
        });
        if (rows.length === 500) {
          await tx.insertInto('tickets').values(rows).execute();
          rows = [];
        }
      }
      if (rows.length) await tx.insertInto('tickets').values(rows).execute();
    });
    done += n;
    process.stdout.write(`\rautomations bench: generated ${done}/${tickets} tickets (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  process.stdout.write('\n');
  await sql`ANALYZE`.execute(db);
}

async function timed(ctx: Ctx): Promise<{ ms: number; r: SweepResult }> {
  const t0 = performance.now();
  const r = await sweepTimeRules(ctx);
  return { ms: performance.now() - t0, r };
}

export async function benchAutomations(argv: string[]): Promise<void> {
  const { database, tickets, fresh } = await openBenchDatabase(argv, 'automations');
  const now = Date.parse('2026-11-20T12:00:00.000Z');
  if (fresh) await generate(database, tickets, now);
  const ctx: Ctx = { actor: systemActor('bench'), requestId: 'bench', now: new Date(now), db: database.db, events: { kick: () => undefined } };
  // A reused file keeps the rules and episodes of the last run; start each run from the same rules, no episodes.
  await sql`DELETE FROM automation_episodes`.execute(database.db);
  await sql`DELETE FROM automation_rules`.execute(database.db);
  await sql`DELETE FROM groups WHERE name = 'Bench escalations'`.execute(database.db);
  const escalations = await createGroup(ctx, { name: 'Bench escalations', description: '', memberIds: [] });
  const rules = [
    { name: 'Remind after 3 days', conditions: { filter: 'status:waiting updated>3d' }, actions: [{ type: 'notify' as const, userIds: [], groupIds: [escalations.id], text: 'Waiting 3 days' }] },
    { name: 'Close after 14 days', conditions: { filter: 'status:waiting updated>14d' }, actions: [{ type: 'set_status' as const, status: 'closed' as const }] },
    { name: 'Close resolved after 5 days', conditions: { filter: 'status:resolved resolved>5d' }, actions: [{ type: 'set_status' as const, status: 'closed' as const }] },
    { name: 'Escalate silence', conditions: { filter: 'status:open,in_progress created>24h', noAgentReply: true }, actions: [{ type: 'notify' as const, userIds: [], groupIds: [escalations.id], text: 'No answer in 24 h' }] },
  ];
  for (const r of rules) await createRule(ctx, { kind: 'time', events: [], active: true, ...r });
  const count = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM tickets`.execute(database.db)).rows[0]!.n);
  console.log(`\nautomations bench: ${database.dialect}, ${count} tickets, ${rules.length} time rules\n`);
  console.log('| sweep | ms | matched | acted | episodes ended |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (name: string, x: { ms: number; r: SweepResult }) => console.log(`| ${name} | ${x.ms.toFixed(0)} | ${x.r.matched} | ${x.r.acted} | ${x.r.episodesEnded} |`);
  row('first (catch-up: acts on every match)', await timed(ctx));
  row('steady state (nothing new)', await timed(ctx));
  row('steady state, again', await timed(ctx));
  // A thousand tickets started waiting on the customer four days ago.
  await sql`UPDATE tickets SET status = 'waiting', updated_at = ${iso(now - 4 * DAY)} WHERE id IN (SELECT id FROM tickets WHERE status = 'in_progress' ORDER BY number LIMIT 1000)`.execute(database.db);
  row('after 1,000 tickets newly match', await timed(ctx));
  await database.close();
}
