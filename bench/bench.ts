import { fork } from 'node:child_process';
import { Session } from 'node:inspector';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { sql } from 'kysely';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { openSystem } from '../server/main.js';
import { createApiToken } from '../server/modules/auth/index.js';
import { systemActor } from '../server/platform/context.js';
import { createDatabase, migrateToLatest, type AnyDb } from '../server/platform/db/database.js';
import { dropPostgresDatabase } from '../server/platform/db/dialect/postgres.js';
import { BENCH_NAMES, customerMessage, generateDataset, pick, seededRng, ticketSubject, type GenerateResult } from './generate.js';
import { LoadClient, serveLoadRequests, type LoadResult, type LoadSpec, type PlannedRequest, type SmtpLoadResult } from './measure.js';
import { startInboundSmtp } from '../server/modules/channels/index.js';
import type { AppDeps } from '../server/platform/http/types.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const RUNNER = join(ROOT, 'bin', 'run-ts.mjs');
const ENTRY = join(ROOT, 'bench', 'bench.ts');
const PG_URL = 'postgres://postgres@127.0.0.1:5432/tessera_bench';
// The whole measurement phase is bounded, whatever the server does.
const MEASURE_BUDGET_MS = 15 * 60_000;

interface Args {
  db: 'sqlite' | 'postgres';
  tickets: number;
  skipGenerate: boolean;
  clients: number;
  smtpSenders: number;
  /** Only the scenarios whose name contains this (and no inbound mail unless it matches "inbound"). */
  only: string | undefined;
  profile: boolean;
  child: string | undefined;
}

export function readArgs(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string', default: 'sqlite' },
      tickets: { type: 'string', default: '100000' },
      'skip-generate': { type: 'boolean', default: false },
      clients: { type: 'string', default: '16' },
      'smtp-senders': { type: 'string', default: '20' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      child: { type: 'string' },
    },
  });
  const db = values.db;
  if (db !== 'sqlite' && db !== 'postgres') throw new Error('--db must be sqlite or postgres');
  const tickets = Number(values.tickets);
  const clients = Number(values.clients);
  if (!Number.isInteger(tickets) || tickets < 100) throw new Error('--tickets must be an integer >= 100');
  if (!Number.isInteger(clients) || clients < 1 || clients > 512) throw new Error('--clients must be an integer from 1 to 512');
  const smtpSenders = Number(values['smtp-senders']);
  if (!Number.isInteger(smtpSenders) || smtpSenders < 1 || smtpSenders > 200) throw new Error('--smtp-senders must be an integer from 1 to 200');
  return { db, tickets, skipGenerate: values['skip-generate'], clients, smtpSenders, only: values.only, profile: values.profile, child: values.child };
}

const sqliteFile = (tickets: number) => join(OUT, `bench-${tickets}.db`);
const BENCH_INBOUND = 'inbound@bench.tessera.test';

interface InboundFigures {
  senders: number;
  bodyBytes: number;
  accept: SmtpLoadResult;
  processed: number;
  tickets: number;
  processSeconds: number;
  ticketsPerSecond: number;
}

async function api(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/**
 * Inbound mail: the real SMTP listener (startInboundSmtp) with the worker paused, fed by
 * concurrent nodemailer senders in the load process; each 250 means durably stored. Then the
 * worker runs again and works off the processing jobs: the mails become tickets. Acknowledgements to the
 * (fictional) senders are switched off for the bench mailbox, so the figure is ticket creation.
 */
async function measureInbound(deps: AppDeps, baseUrl: string, token: string, load: LoadClient, senders: number): Promise<InboundFigures> {
  const created = await api(baseUrl, token, 'POST', '/api/v1/mailboxes', { address: BENCH_INBOUND, displayName: 'Bench inbound' });
  if (created.status !== 201) throw new Error(`bench mailbox: ${created.status} ${JSON.stringify(created.json)}`);
  await api(baseUrl, token, 'PATCH', '/api/v1/customer-notifications/settings', { mailboxId: created.json.id, enabled: { acknowledgement: false } });
  const db = deps.database.db;
  const ticketsBefore = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM tickets`.execute(db)).rows[0]!.n);
  await deps.jobs.stop();
  const smtp = await startInboundSmtp({ db, clock: deps.clock, events: deps.events }, { smtpHost: '127.0.0.1', smtpPort: 0, maxMailBytes: 10 * 1024 * 1024, tls: null, hostname: 'bench.tessera.test' });
  const bodyBytes = 2000;
  let accept: SmtpLoadResult;
  try {
    accept = await load.runSmtp({ name: 'inbound SMTP', host: '127.0.0.1', port: smtp.port, senders, maxMails: 50_000, maxMs: 10_000, warmup: 100, to: BENCH_INBOUND, bodyBytes });
  } finally {
    await smtp.close();
  }
  process.stderr.write(`  inbound SMTP: ${accept.mails} mails acknowledged, ${accept.perSecond.toFixed(0)} mails/s\n`);
  const t0 = performance.now();
  // The running worker (its loops, as serve() runs them), not drain(): drain works alone.
  await deps.jobs.start();
  await deps.jobs.idle();
  await deps.events.idle();
  await deps.jobs.idle();
  const processSeconds = (performance.now() - t0) / 1000;
  const processed = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM inbound_mail WHERE mailbox_id = ${created.json.id} AND status = 'processed'`.execute(db)).rows[0]!.n);
  const tickets = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM tickets`.execute(db)).rows[0]!.n) - ticketsBefore;
  process.stderr.write(`  inbound processing: ${processed} mails into ${tickets} tickets in ${processSeconds.toFixed(1)} s\n`);
  return { senders, bodyBytes, accept, processed, tickets, processSeconds, ticketsPerSecond: processed / processSeconds };
}


/** Removes what the run wrote (created tickets, their contacts, the token), so reruns see the same data. */
async function removeRunData(db: AnyDb, pg: boolean, lastNumber: number, since: string): Promise<void> {
  const created = sql`(SELECT id FROM tickets WHERE number > ${lastNumber})`;
  await db.transaction().execute(async (trx) => {
    if (!pg) await sql`DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE ticket_id IN ${created})`.execute(trx);
    await sql`DELETE FROM search_docs WHERE ticket_id IN ${created}`.execute(trx);
    await sql`DELETE FROM messages WHERE ticket_id IN ${created}`.execute(trx);
    // What the inbound mail run left: stored mail, its thread rows, jobs, the bench mailbox and its switch.
    for (const table of ['mail_message_ids', 'mail_participants', 'mail_threads']) await sql`DELETE FROM ${sql.table(table)} WHERE ticket_id IN ${created}`.execute(trx);
    await sql`DELETE FROM inbound_mail WHERE received_at >= ${since}`.execute(trx);
    await sql`DELETE FROM jobs WHERE created_at >= ${since}`.execute(trx);
    await sql`DELETE FROM customer_notification_settings WHERE scope IN (SELECT id FROM mailboxes WHERE address = ${BENCH_INBOUND})`.execute(trx);
    await sql`DELETE FROM mailboxes WHERE address = ${BENCH_INBOUND}`.execute(trx);
    // Tags, stars and events go with their ticket (foreign keys cascade), identities with their contact.
    await sql`DELETE FROM tickets WHERE number > ${lastNumber}`.execute(trx);
    await sql`DELETE FROM contacts WHERE created_at >= ${since}`.execute(trx);
    await sql`DELETE FROM outbox_events WHERE created_at >= ${since}`.execute(trx);
    await sql`DELETE FROM api_tokens WHERE name = 'bench'`.execute(trx);
    await sql`DELETE FROM audit_log WHERE at >= ${since}`.execute(trx);
    if (pg) await sql`SELECT setval('ticket_number_seq', ${lastNumber})`.execute(trx);
    else await sql`UPDATE counters SET value = ${lastNumber} WHERE name = 'ticket_number'`.execute(trx);
  });
}

async function generateInThisProcess(args: Args): Promise<void> {
  const file = sqliteFile(args.tickets);
  if (args.db === 'postgres') await dropPostgresDatabase(PG_URL);
  else for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const database = await createDatabase(args.db === 'postgres' ? { databaseUrl: PG_URL, pgPoolSize: 4 } : { sqliteFile: file });
  await migrateToLatest(database);
  let bar: cliProgress.SingleBar | null = null;
  const result = await generateDataset(database, {
    tickets: args.tickets,
    onPhase: (phase, total) => {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        { format: `${phase.padEnd(8)} |{bar}| {percentage}% {value}/{total} | {duration_formatted} | ETA {eta_formatted}`, noTTYOutput: true, notTTYSchedule: 15_000, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    onProgress: (done) => bar?.update(done),
  });
  (bar as cliProgress.SingleBar | null)?.stop();
  await database.close();
  process.send?.(result);
}

/** Generation runs in a child process so its garbage never counts in the server's RSS. */
function generateInChild(): Promise<GenerateResult> {
  return new Promise((resolve, reject) => {
    const child = fork(RUNNER, [ENTRY, ...process.argv.slice(2), '--child', 'generate'], { stdio: 'inherit' });
    let result: GenerateResult | null = null;
    child.on('message', (m) => (result = m as GenerateResult));
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`data generation failed (exit code ${code})`))));
  });
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`${res.status} GET ${url}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Follows nextCursor up to `maxPages` deep (bounded in time too) and returns the deepest cursor. */
async function deepCursor(baseUrl: string, token: string, path: string, maxPages: number): Promise<{ cursor: string | null; depth: number }> {
  let cursor: string | null = null;
  let depth = 1;
  const deadline = Date.now() + 60_000;
  for (let page = 1; page < maxPages && Date.now() < deadline; page++) {
    const body: { nextCursor: string | null } = await getJson(`${baseUrl}${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
    depth = page + 1;
  }
  return { cursor, depth };
}

function createBodies(count: number, agents: string[], groups: string[], emails: string[]): PlannedRequest[] {
  const r = seededRng(Date.now() % 1_000_000);
  const run = Date.now().toString(36);
  return Array.from({ length: count }, (_, i) => {
    const known = r() < 0.7;
    const name = `Bench Customer ${i}`;
    const assign = r() < 0.3;
    return {
      method: 'POST' as const,
      path: '/api/v1/tickets',
      body: {
        subject: ticketSubject(r),
        requester: { email: known ? pick(r, emails) : `new-${run}-${i}@newcustomer.test`, name },
        message: { body: customerMessage(r, name) },
        priority: pick(r, ['low', 'medium', 'medium', 'high', 'urgent']),
        channel: pick(r, ['email', 'email', 'web_form', 'chat', 'api']),
        tags: r() < 0.5 ? [BENCH_NAMES.commonTag] : [],
        ...(r() < 0.8 ? { groupId: pick(r, groups) } : {}),
        ...(assign ? { assigneeId: pick(r, agents) } : {}),
      },
    };
  });
}

interface Row {
  scenario: string;
  requests: number;
  errors: number;
  'req/s': number;
  /** Tickets created per second (create scenarios), and per second once what they set off was worked off too. */
  'tickets/s': number | string;
  'tickets/s settled': number | string;
  'p50 ms': number;
  'p95 ms': number;
  'p99 ms': number;
  '1-client p50 ms': number;
  '1-client p99 ms': number;
}

async function measure(args: Args, generated: GenerateResult | null): Promise<void> {
  const pg = args.db === 'postgres';
  const file = sqliteFile(args.tickets);
  if (!pg && !existsSync(file)) throw new Error(`${file} does not exist; run without --skip-generate first`);
  const watchdog = setTimeout(() => {
    console.error(`bench: measurement exceeded ${MEASURE_BUDGET_MS / 60_000} minutes, giving up`);
    process.exit(2);
  }, MEASURE_BUDGET_MS);
  watchdog.unref();

  const config = loadConfig({ TESSERA_DATA_DIR: join(OUT, 'data'), LOG_LEVEL: 'silent', HOST: '127.0.0.1', ...(pg ? { DATABASE_URL: PG_URL } : {}) });
  const deps = await openSystem(config, pg ? {} : { sqliteFile: file });
  const db = deps.database.db;
  const admin = await db.selectFrom('users').select('id').where('email', '=', BENCH_NAMES.adminEmail).executeTakeFirst();
  if (!admin) throw new Error('The bench database has no bench admin; run without --skip-generate');
  const since = new Date().toISOString();
  const ctx = { actor: systemActor('bench'), requestId: 'bench', now: new Date(since), db, events: deps.events };
  const { token } = await createApiToken(ctx, { name: 'bench', scopes: ['read', 'write', 'admin'], expiresAt: null, userId: admin.id as string });
  const stats = (await sql<{ n: number; last: number }>`SELECT count(*) AS n, max(number) AS last FROM tickets`.execute(db)).rows[0]!;
  const ticketCount = Number(stats.n);
  const agents = (await db.selectFrom('users').select('id').where('role', 'in', ['agent', 'admin']).execute()).map((u) => u.id as string);
  const groups = (await db.selectFrom('groups').select('id').execute()).map((g) => g.id as string);
  const emails = (await db.selectFrom('contact_identities').select('value').where('kind', '=', 'email').orderBy('id').limit(1000).execute()).map((e) => e.value as string);

  const app = await buildApp(deps);
  // As serve() does for the default roles (web and worker); inbound SMTP plays no part in these figures.
  deps.events.kick();
  await deps.jobs.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const load = LoadClient.start(RUNNER, [ENTRY, '--child', 'load']);
  const rows: Row[] = [];
  const notes: string[] = [];
  let inbound: InboundFigures | null = null;
  try {
    const queue = '/api/v1/tickets?view=all_open&limit=50';
    const deep = await deepCursor(baseUrl, token, queue, 200);
    const filter = `status:open,in_progress priority>=high assignee:${BENCH_NAMES.filterAgentEmail} tag:${BENCH_NAMES.commonTag}`;
    const gets = (path: string): PlannedRequest[] => [{ method: 'GET', path }];
    // A batch create request carries this many tickets.
    const BATCH = 500;
    const batches = (count: number): PlannedRequest[] => {
      const bodies = createBodies(count * BATCH, agents, groups, emails).map((r) => r.body);
      return Array.from({ length: count }, (_, k) => ({ method: 'POST' as const, path: '/api/v1/tickets/batch', body: { tickets: bodies.slice(k * BATCH, (k + 1) * BATCH) } }));
    };
    const scenarios: [string, PlannedRequest[], Partial<LoadSpec>, number?][] = [
      ['queue all_open, page 1', gets(queue), {}],
      [`queue all_open, page ${deep.depth}`, gets(deep.cursor ? `${queue}&cursor=${encodeURIComponent(deep.cursor)}` : queue), {}],
      ['filtered view', gets(`/api/v1/tickets?q=${encodeURIComponent(filter)}&limit=50`), {}],
      [`search rare "${BENCH_NAMES.rareWord}"`, gets(`/api/v1/search?q=${BENCH_NAMES.rareWord}`), {}],
      [`search common "${BENCH_NAMES.commonWord}"`, gets(`/api/v1/search?q=${BENCH_NAMES.commonWord}`), {}],
      ['view counts (GET /views)', gets('/api/v1/views'), {}],
      // Last, so the tickets it adds do not change what the read scenarios see.
      ['ticket create (POST)', createBodies(2000, agents, groups, emails), { maxRequests: 20_000, maxMs: 10_000 }, 1],
      [`ticket create, ${BATCH} per request (POST /tickets/batch)`, batches(20), { concurrency: Math.min(args.clients, 4), maxRequests: 400, maxMs: 10_000, warmup: 2 }, BATCH],
    ];
    const wanted = (name: string) => args.only === undefined || name.includes(args.only);
    for (const [name, requests, over, ticketsPerRequest] of scenarios.filter(([name]) => wanted(name))) {
      const spec: LoadSpec = { name, baseUrl, token, concurrency: args.clients, maxRequests: 5000, maxMs: 5000, warmup: 20, requests, ...over };
      const serial = await load.run({ ...spec, concurrency: 1, maxRequests: 200, maxMs: 3000, warmup: Math.min(5, spec.warmup) });
      // What the serial run set off is worked off first, so the timed run pays for its own work only.
      if (ticketsPerRequest) await settle(deps);
      const started = performance.now();
      const result: LoadResult = args.profile ? await profiled(name, () => load.run(spec)) : await load.run(spec);
      const tickets = ticketsPerRequest ? (result.requests - result.errors) * ticketsPerRequest : 0;
      // Creates are figured both as answered and once the outbox and the jobs they queued (SLA
      // clocks, rules, notifications, report rollups) are worked off: a rate the subscribers
      // cannot keep up with would not last.
      const settledSeconds = ticketsPerRequest ? (await settle(deps), (performance.now() - started) / 1000) : 0;
      process.stderr.write(`  ${name}: ${result.requests} requests, ${result.rps.toFixed(0)} req/s\n`);
      const errors = serial.errors + result.errors;
      if (errors > 0) notes.push(`${name}: ${errors} errors, first: ${result.firstError ?? serial.firstError}`);
      rows.push({
        scenario: name,
        requests: result.requests,
        errors,
        'req/s': Math.round(result.rps),
        'tickets/s': ticketsPerRequest ? Math.round(result.rps * ticketsPerRequest) : '',
        'tickets/s settled': ticketsPerRequest ? Math.round(tickets / settledSeconds) : '',
        'p50 ms': round(result.p50),
        'p95 ms': round(result.p95),
        'p99 ms': round(result.p99),
        '1-client p50 ms': round(serial.p50),
        '1-client p99 ms': round(serial.p99),
      });
    }
    if (wanted('inbound')) inbound = await measureInbound(deps, baseUrl, token, load, args.smtpSenders);
    if (inbound && inbound.accept.errors > 0) notes.push(`inbound SMTP: ${inbound.accept.errors} errors, first: ${inbound.accept.firstError}`);
  } finally {
    await load.close();
  }
  const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  await app.close();
  await deps.jobs.stop();
  await deps.events.idle();
  await removeRunData(db, pg, Number(stats.last), since);
  await deps.database.close();
  clearTimeout(watchdog);

  const summary = {
    dialect: args.db,
    tickets: ticketCount,
    clients: args.clients,
    generation: generated,
    rssMb,
    results: rows,
    inbound,
    notes,
    at: new Date().toISOString(),
    node: process.version,
  };
  print(summary);
  mkdirSync(OUT, { recursive: true });
  const out = join(OUT, `last-${args.db}-${args.tickets}.json`);
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`written to ${out}`);
}

/** The server's CPU profile while `run` runs, written for Chrome DevTools (Performance tab, load profile). */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    const file = join(OUT, `profile-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`  CPU profile: ${file}\n`);
  }
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Until every event is delivered and every job due has run. */
async function settle(deps: { events: { idle(): Promise<void>; hasPending(): Promise<boolean> }; jobs: { idle(): Promise<void> } }): Promise<void> {
  do {
    await deps.events.idle();
    await deps.jobs.idle();
  } while (await deps.events.hasPending());
}

function print(s: { dialect: string; tickets: number; clients: number; generation: GenerateResult | null; rssMb: number; results: Row[]; inbound: InboundFigures | null; notes: string[] }): void {
  const g = s.generation;
  console.log(`\nTessera bench: ${s.dialect}, ${s.tickets.toLocaleString('en')} tickets, ${s.clients} concurrent clients`);
  console.log(
    g
      ? `generated in ${g.seconds.toFixed(1)} s: ${g.contacts.toLocaleString('en')} contacts, ${g.messages.toLocaleString('en')} messages, ${g.events.toLocaleString('en')} events, ${g.searchDocs.toLocaleString('en')} search rows (${Math.round(g.tickets / g.seconds)} tickets/s)`
      : 'generation skipped (--skip-generate): reusing the existing data set',
  );
  const cols = Object.keys(s.results[0] ?? {}) as (keyof Row)[];
  const cell = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en') : String(v));
  const width = cols.map((c) => Math.max(c.length, ...s.results.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === 0 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join('  ');
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of s.results) console.log(line(cols.map((c) => cell(r[c]))));
  const m = s.inbound;
  if (m) {
    console.log(`\ninbound mail (${m.senders} concurrent nodemailer senders, ${m.bodyBytes}-byte messages, one kept-open connection each)`);
    console.log(`  acknowledged: ${m.accept.mails.toLocaleString('en')} mails in ${m.accept.seconds.toFixed(1)} s = ${Math.round(m.accept.perSecond).toLocaleString('en')} mails/s, ${m.accept.errors} errors`);
    console.log(`  DATA -> 250:  p50 ${round(m.accept.p50)} ms, p95 ${round(m.accept.p95)} ms, p99 ${round(m.accept.p99)} ms, max ${round(m.accept.max)} ms`);
    console.log(`  into tickets: ${m.processed.toLocaleString('en')} mails (${m.tickets.toLocaleString('en')} tickets) in ${m.processSeconds.toFixed(1)} s = ${Math.round(m.ticketsPerSecond).toLocaleString('en')} mails/s (queue worked off)`);
  }
  console.log(`server process RSS after the run: ${s.rssMb} MB`);
  for (const n of s.notes) console.log(`! ${n}`);
}

async function main(): Promise<void> {
  // Reports have their own data set and table (bench/reports.ts).
  if (process.argv.includes('--reports')) return (await import('./reports.js')).benchReports(process.argv.slice(2));
  // Time-rule sweeps have their own data set too (bench/automations.ts).
  if (process.argv.includes('--automations')) return (await import('./automations.js')).benchAutomations(process.argv.slice(2));
  // SLA sweeps and recomputation have their own data set too (bench/sla.ts).
  if (process.argv.includes('--sla')) return (await import('./sla.js')).benchSla(process.argv.slice(2));
  const args = readArgs(process.argv.slice(2));
  if (args.child === 'load') return serveLoadRequests();
  if (args.child === 'generate') return generateInThisProcess(args);
  mkdirSync(OUT, { recursive: true });
  console.log(`bench: ${args.db}, ${args.tickets} tickets${args.skipGenerate ? ' (reusing data)' : ''}`);
  const generated = args.skipGenerate ? null : await generateInChild();
  await measure(args, generated);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
