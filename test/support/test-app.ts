import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { registerJobs, registerSubscribers, VERSION } from '../../server/main.js';
import { JobRunner } from '../../server/platform/jobs/job-runner.js';
import { createApiToken, createUser, ensureFirstAdmin } from '../../server/modules/auth/index.js';
import { BlobStore } from '../../server/platform/blobs/blob-store.js';
import { fixedClock } from '../../server/platform/clock.js';
import { systemActor, type Ctx } from '../../server/platform/context.js';
import { EventDispatcher } from '../../server/platform/events/dispatcher.js';
import type { AppDeps, AppInstance } from '../../server/platform/http/types.js';
import { openTestDatabase, type TestDialect } from './db-matrix.js';

export interface ApiClient {
  token: string;
  userId: string;
  email: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

export interface TestApp {
  app: AppInstance;
  deps: AppDeps;
  clock: ReturnType<typeof fixedClock>;
  admin: ApiClient;
  systemCtx(): Ctx;
  /** Creates a user with a token and returns an API client acting as them. */
  user(opts: { role?: 'admin' | 'supervisor' | 'agent' | 'customer'; name?: string; email?: string; groupIds?: string[]; restrictedToGroups?: boolean; contactId?: string | null }): Promise<ApiClient>;
  anonymous: Omit<ApiClient, 'token' | 'userId' | 'email'>;
  close(): Promise<void>;
}

let seq = 0;

export async function createTestApp(dialect: TestDialect, opts: { start?: string } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const config = loadConfig({ TESSERA_DATA_DIR: dataDir, LOG_LEVEL: 'silent', TESSERA_MAX_ATTACHMENT_MB: '1' });
  const { database, dispose } = await openTestDatabase(dialect);
  const clock = fixedClock(opts.start ?? '2026-03-02T09:00:00.000Z');
  const events = new EventDispatcher(database.db, clock, { error: () => undefined });
  registerSubscribers(events);
  // Tests run jobs explicitly with deps.jobs.drain(); the runner is never started.
  const jobs = new JobRunner(database.db, clock, events, { error: () => undefined });
  const blobs = new BlobStore(join(dataDir, 'blobs'));
  registerJobs(jobs, { config, blobs });
  const deps: AppDeps = { config, database, clock, events, jobs, blobs, version: VERSION };
  const app = await buildApp(deps);
  const systemCtx = (): Ctx => ({ actor: systemActor('test'), requestId: 'test', now: clock.now(), db: database.db, events });

  const client = (token: string | null, userId = '', email = ''): ApiClient => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
    return {
      token: token ?? '',
      userId,
      email,
      get: (url) => call('GET', url),
      post: (url, body) => call('POST', url, body ?? {}),
      patch: (url, body) => call('PATCH', url, body ?? {}),
      delete: (url) => call('DELETE', url),
    };
  };

  const makeUser: TestApp['user'] = async (o) => {
    seq += 1;
    const email = o.email ?? `user${seq}-${Math.random().toString(36).slice(2, 8)}@tessera.test`;
    const user = await createUser(systemCtx(), {
      email,
      name: o.name ?? `User ${seq}`,
      role: o.role ?? 'agent',
      password: 'correct horse battery',
      restrictedToGroups: o.restrictedToGroups ?? false,
      skills: [],
      maxLoad: null,
      available: true,
      groupIds: o.groupIds ?? [],
      contactId: o.contactId ?? null,
    });
    const scopes = o.role === 'admin' ? (['read', 'write', 'admin'] as const) : (['read', 'write'] as const);
    const token = o.role === 'customer' ? null : await createApiToken(systemCtx(), { name: 'test', scopes: [...scopes], expiresAt: null, userId: user.id });
    return client(token?.token ?? null, user.id, email);
  };

  await ensureFirstAdmin(systemCtx(), { email: 'root@tessera.test', password: 'root password 1' });
  const admin = await makeUser({ role: 'admin', name: 'Ada Admin' });

  return {
    app,
    deps,
    clock,
    admin,
    systemCtx,
    user: makeUser,
    anonymous: client(null),
    async close() {
      await app.close();
      await jobs.stop();
      await events.idle();
      await dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a ticket through the API as an integrator would, returning its JSON. */
export async function createTicket(api: ApiClient, over: Record<string, unknown> = {}): Promise<{ number: number; id: string; [k: string]: unknown }> {
  const res = await api.post('/api/v1/tickets', {
    subject: 'Printer on fire',
    // A requester named by id replaces the default one (naming both is refused).
    ...(over.requesterId ? {} : { requester: { email: 'carol@customer.test', name: 'Carol Customer' } }),
    message: { body: 'The printer in room 4 is on fire. Please help.' },
    ...over,
  });
  if (res.statusCode !== 201) throw new Error(`create ticket failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
