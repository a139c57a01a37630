import { readFileSync } from 'node:fs';
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
import { ensureFirstAdmin } from './modules/auth/index.js';
import { registerTicketRealtime, registerTicketSubscribers } from './modules/tickets/index.js';
import { registerMessageRealtime, SEARCH_UPGRADE_EVERY_MS, searchUpgradeJob } from './modules/messages/index.js';
import { registerCustomerNotificationJobs, registerCustomerNotificationSubscribers, registerNotificationJobs, registerNotificationRealtime, registerNotificationSubscribers } from './modules/notifications/index.js';
import { realtimeOf } from './platform/realtime/realtime.js';
import { chatUnansweredJob, outboundMailTarget, registerChannelJobs, registerChannelSubscribers, registerChatRealtime, registerMessagingChannelJobs, registerMessagingChannelSubscribers, startInboundSmtp } from './modules/channels/index.js';
import { registerAutomationJobs, registerAutomationSubscribers } from './modules/automations/index.js';
import { loadMailConfig } from './platform/mail/mail-config.js';
import { registerSlaJobs, registerSlaSubscribers } from './modules/sla/index.js';
import { registerIntegrationJobs, registerWebhookSubscribers } from './modules/integrations/index.js';
import { registerCsatJobs, registerCsatSubscribers } from './modules/csat/index.js';
import { registerReportJobs, registerReportSubscribers } from './modules/reports/index.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Log {
  info(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Composition root: config -> db -> modules. Also used by the CLI and tests. */
export async function openSystem(config: Config, opts: { clock?: Clock; log?: Log; sqliteFile?: string } = {}): Promise<AppDeps> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? { info: () => undefined, error: (o: unknown, m?: string) => console.error(m ?? '', o) };
  const database: Database = await createDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(opts.sqliteFile ? { sqliteFile: opts.sqliteFile } : {}),
    pgPoolSize: config.pgPoolSize,
  });
  await migrateToLatest(database);
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

export async function serve(config: Config): Promise<{ close(): Promise<void>; url: string }> {
  const mail = loadMailConfig();
  const deps = await openSystem(config);
  const app = await buildApp(deps, { logger: { level: config.logLevel } });
  const ctx = { actor: systemActor('setup'), requestId: 'setup', now: deps.clock.now(), db: deps.database.db, events: deps.events };
  const admin = await ensureFirstAdmin(ctx, config.admin);
  // Events left undelivered by a crash are delivered now.
  deps.events.kick();
  if (config.roles.includes('worker')) await deps.jobs.start();
  await app.listen({ port: config.port, host: config.host });
  const smtp = config.roles.includes('smtp')
    ? await startInboundSmtp({ db: deps.database.db, clock: deps.clock, events: deps.events, log: { error: (o, m) => console.error(m ?? '', o) } }, mail)
    : null;
  const url = config.publicUrl;
  const lines = [`Tessera ${VERSION} is running at ${url}  (database: ${deps.database.dialect} ${deps.database.describe})`, `API docs: ${url}/api/docs`];
  if (smtp) lines.push(`Inbound SMTP listening on ${smtp.host}:${smtp.port}${mail.tls ? ' (STARTTLS offered)' : ''}`);
  if (config.roles.includes('worker')) lines.push(`Outbound mail: ${outboundMailTarget()}`);
  if (admin) {
    lines.push(`First admin created: ${admin.email}`);
    lines.push(admin.password ? `Password (shown once, change it after signing in): ${admin.password}` : 'Password: the one set in TESSERA_ADMIN_PASSWORD');
  }
  console.log(lines.join('\n'));
  return {
    url,
    async close() {
      await smtp?.close();
      await app.close();
      await deps.jobs.stop();
      await deps.events.idle();
      await deps.database.close();
    },
  };
}
