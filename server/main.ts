import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { buildApp } from './app.js';
import { BlobStore } from './platform/blobs/blob-store.js';
import { systemClock, type Clock } from './platform/clock.js';
import { systemActor } from './platform/context.js';
import { createDatabase, migrateToLatest, type Database } from './platform/db/database.js';
import { EventDispatcher } from './platform/events/dispatcher.js';
import { DEFAULT_OPTIONS, JobRunner } from './platform/jobs/job-runner.js';
import { SEARCH_COMPACTION_EVERY_MS, searchCompactionJob } from './platform/search/search-compaction.js';
import type { AppDeps } from './platform/http/types.js';
import { ensureFirstAdmin, registerUserReferences } from './modules/auth/index.js';
import { getContactsByIds } from './modules/contacts/index.js';
import { countTickets, parseFilter, predicatesFor, registerTicketRealtime, registerTicketSubscribers } from './modules/tickets/index.js';
import { registerMessageRealtime, SEARCH_UPGRADE_EVERY_MS, searchUpgradeJob } from './modules/messages/index.js';
import { registerCustomerNotificationJobs, registerCustomerNotificationSubscribers, registerNotificationJobs, registerNotificationRealtime, registerNotificationSubscribers } from './modules/notifications/index.js';
import { realtimeOf } from './platform/realtime/realtime.js';
import { chatUnansweredJob, outboundMailTarget, registerChannelJobs, registerChannelSubscribers, registerChatRealtime, registerMessagingChannelJobs, registerMessagingChannelSubscribers, startInboundSmtp } from './modules/channels/index.js';
import { registerAutomationJobs, registerAutomationReferences, registerAutomationSubscribers, rulesUsingCalendar, rulesUsingPolicy, rulesUsingWebhook } from './modules/automations/index.js';
import { loadMailConfig } from './platform/mail/mail-config.js';
import { registerSlaJobs, registerSlaReferences, registerSlaSubscribers } from './modules/sla/index.js';
import { registerIntegrationJobs, registerWebhookReferences, registerWebhookSubscribers, webhooksByIds } from './modules/integrations/index.js';
import { registerCsatJobs, registerCsatSubscribers } from './modules/csat/index.js';
import { registerReportJobs, registerReportSubscribers } from './modules/reports/index.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Log {
  info(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/**
 * A failure to start that the operator can act on (a port in use, an unreachable database, a data
 * directory that cannot be written): the message names the cause and the setting in one line,
 * and the cause keeps the original error for LOG_LEVEL=debug.
 */
export class StartupError extends Error {}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * SQLite needs a directory it can write (the database, its WAL, the attachment blobs). Checked
 * before opening so the message names TESSERA_DATA_DIR rather than SQLite's "unable to open".
 */
function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = codeOf(err);
    const why = code === 'EEXIST' ? 'is a file, not a directory' : code === 'ENOTDIR' ? 'cannot be created: part of its path is a file' : `cannot be created or written (${code ?? messageOf(err)})`;
    throw new StartupError(`Data directory ${dir} ${why}; set TESSERA_DATA_DIR to a writable directory`, { cause: err });
  }
}

/** Opens (and on PostgreSQL creates if missing) the database, without migrating it. */
export async function openDatabase(config: Config, sqliteFile?: string): Promise<Database> {
  if (!config.databaseUrl && !sqliteFile) ensureDataDir(config.dataDir);
  try {
    return await createDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      ...(sqliteFile ? { sqliteFile } : {}),
      pgPoolSize: config.pgPoolSize,
    });
  } catch (err) {
    if (!config.databaseUrl) throw new StartupError(`Cannot open the SQLite database in ${config.dataDir}: ${messageOf(err)}`, { cause: err });
    const url = new URL(config.databaseUrl);
    const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
    const code = codeOf(err);
    // Node's network errors carry a syscall; PostgreSQL's own errors (bad role, password, rights) a severity.
    const network = code && (err as { syscall?: unknown }).syscall ? `cannot connect (${code})` : messageOf(err);
    throw new StartupError(`PostgreSQL at ${where}: ${network}; check DATABASE_URL`, { cause: err });
  }
}

/** Composition root: config -> db -> modules. Also used by the CLI and tests. */
export async function openSystem(config: Config, opts: { clock?: Clock; log?: Log; sqliteFile?: string } = {}): Promise<AppDeps> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? { info: () => undefined, error: (o: unknown, m?: string) => console.error(m ?? '', o) };
  const database = await openDatabase(config, opts.sqliteFile);
  try {
    await migrateToLatest(database);
  } catch (err) {
    await database.close().catch(() => undefined);
    throw new StartupError(`Database migration failed: ${messageOf(err)}`, { cause: err });
  }
  const events = new EventDispatcher(database.db, clock, log);
  // Several loops on PostgreSQL, where a job mostly waits for round trips; SQLite has one writer.
  const jobs = new JobRunner(database.db, clock, events, log, { ...DEFAULT_OPTIONS, concurrency: database.dialect === 'postgres' ? 4 : 1 });
  events.onKick(() => jobs.kick());
  registerSubscribers(events);
  const blobs = new BlobStore(join(config.dataDir, 'blobs'));
  registerJobs(jobs, { config, blobs });
  return { config, database, clock, events, jobs, blobs, version: VERSION };
}

/** Every module's job definitions and schedules (each module owns its own), and the platform's. */
export function registerJobs(jobs: JobRunner, deps: Pick<AppDeps, 'config' | 'blobs'>): void {
  // Not at once: a first start's index is small, and a restart must not start a merge of a big one.
  jobs.every(searchCompactionJob(), SEARCH_COMPACTION_EVERY_MS, { firstAfterMs: SEARCH_COMPACTION_EVERY_MS });
  jobs.every(searchUpgradeJob(), SEARCH_UPGRADE_EVERY_MS);
  registerChannelJobs(jobs, deps);
  registerMessagingChannelJobs(jobs, deps);
  jobs.register(chatUnansweredJob);
  registerNotificationJobs(jobs);
  registerSlaJobs(jobs, deps.config.sweepMs);
  registerCustomerNotificationJobs(jobs, deps);
  registerIntegrationJobs(jobs);
  registerCsatJobs(jobs, deps);
  registerReportJobs(jobs, deps);
  registerAutomationJobs(jobs, deps);
}

/** Every module's event listeners; each module owns its own. */
export function registerSubscribers(events: EventDispatcher): void {
  // Not a listener, but wired with them (every process, the CLI and tests call this): what auth,
  // below the other modules, asks of them before it changes a user.
  registerUserReferences({
    contactExists: async (ctx, contactId) => (await getContactsByIds(ctx, [contactId])).length > 0,
    // The same open-ticket count as an agent's load in assignment; all of them, whoever asks.
    openTicketsAssignedTo: async (ctx, userId) => countTickets(ctx.db, await predicatesFor({ ...ctx, actor: systemActor('users') }, parseFilter(`is:open assignee:${userId}`))),
  });
  // Likewise between the tier-5 modules: calendars, SLA policies and webhooks named by automation
  // rules are not deleted from under them, and rules name only webhooks that exist.
  registerSlaReferences({ rulesUsingCalendar, rulesUsingPolicy });
  registerWebhookReferences({ rulesUsingWebhook });
  registerAutomationReferences({ webhooks: webhooksByIds });
  registerTicketSubscribers(events);
  registerSlaSubscribers(events);
  registerChannelSubscribers(events);
  registerMessagingChannelSubscribers(events);
  registerNotificationSubscribers(events);
  registerCustomerNotificationSubscribers(events);
  registerWebhookSubscribers(events);
  registerCsatSubscribers(events);
  registerReportSubscribers(events);
  registerAutomationSubscribers(events);
  // Realtime projectors run in every process (any process may make a change); sockets live in the web role.
  const realtime = realtimeOf(events);
  registerTicketRealtime(realtime);
  registerMessageRealtime(realtime);
  registerNotificationRealtime(realtime);
  registerChatRealtime(realtime);
}

function listenFailure(err: unknown, what: string, setting: string): StartupError {
  const code = codeOf(err);
  const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? 'no such address on this machine' : messageOf(err);
  return new StartupError(`Cannot listen on ${what}: ${why}; ${setting}`, { cause: err });
}

export async function serve(config: Config): Promise<{ close(): Promise<void>; url: string }> {
  const mail = loadMailConfig();
  const deps = await openSystem(config);
  const web = config.roles.includes('web');
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  let smtp: Awaited<ReturnType<typeof startInboundSmtp>> | null = null;
  const close = async () => {
    await smtp?.close();
    await app?.close();
    await deps.jobs.stop();
    await deps.events.idle();
    await deps.database.close();
  };
  try {
    app = await buildApp(deps, { logger: { level: config.logLevel } });
    // Listen before the first admin is made: a generated password printed by a process that then
    // fails on a busy port would be lost, and the next start would not make another. A process
    // without the web role builds the application all the same (its modules project realtime
    // events for the web processes) but takes no port: it runs beside one that does.
    if (web) {
      await app.listen({ port: config.port, host: config.host }).catch((err: unknown) => {
        throw listenFailure(err, `${config.host}:${config.port}`, 'set PORT (or HOST) to a free address');
      });
    } else {
      await app.ready();
    }
    let smtpListening = false;
    // smtp-server reports its listen error here as well as by rejecting: say it once, below.
    const smtpLog = { error: (o: unknown, m?: string) => (smtpListening ? console.error(m ?? '', o) : undefined) };
    smtp = config.roles.includes('smtp')
      ? await startInboundSmtp({ db: deps.database.db, clock: deps.clock, events: deps.events, log: smtpLog }, mail).catch((err: unknown) => {
          throw listenFailure(err, `${mail.smtpHost}:${mail.smtpPort} (inbound SMTP)`, 'set TESSERA_SMTP_PORT, or leave smtp out of TESSERA_ROLES');
        })
      : null;
    smtpListening = true;
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const ctx = { actor: systemActor('setup'), requestId: 'setup', now: deps.clock.now(), db: deps.database.db, events: deps.events };
  const admin = await ensureFirstAdmin(ctx, config.admin);
  // Events left undelivered by a crash are delivered now.
  deps.events.kick();
  if (config.roles.includes('worker')) await deps.jobs.start();
  const url = config.publicUrl;
  const database = `(database: ${deps.database.dialect} ${deps.database.describe})`;
  const lines = web ? [`Tessera ${VERSION} is running at ${url}  ${database}`, `API docs: ${url}/api/docs`] : [`Tessera ${VERSION} is running (${config.roles.join(', ')}; no web role, so no HTTP port)  ${database}`];
  if (smtp) lines.push(`Inbound SMTP listening on ${smtp.host}:${smtp.port}${mail.tls ? ' (STARTTLS offered)' : ''}`);
  if (config.roles.includes('worker')) lines.push(`Outbound mail: ${outboundMailTarget()}`);
  if (admin) lines.push(...firstAdminLines(admin));
  console.log(lines.join('\n'));
  return { url, close };
}

/** How a newly created first admin is announced (by `serve` and by `seed-demo`). */
export function firstAdminLines(admin: { email: string; password: string | null }): string[] {
  return [
    `First admin created: ${admin.email}`,
    admin.password ? `Password (shown once, change it after signing in): ${admin.password}` : 'Password: the one set in TESSERA_ADMIN_PASSWORD',
  ];
}
