import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/tessera.mjs');
const run = promisify(execFile);

export const ADMIN = { email: 'admin@e2e.test', password: 'admin password 1', name: 'Administrator' };

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Builds web/dist if it is missing or stale (the same step `npm start` runs). */
export async function ensureWebBuilt(): Promise<void> {
  await run(process.execPath, [join(ROOT, 'bin/build-web-if-needed.mjs')], { cwd: ROOT });
}

export interface E2eServer {
  url: string;
  dataDir: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the real `tessera serve` on a free loopback port with a fresh SQLite database. */
export async function startServer(extraEnv: Record<string, string> = {}, opts: { sqliteFile?: string } = {}): Promise<E2eServer> {
  await ensureWebBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  if (opts.sqliteFile) {
    // A copy, so measuring never changes the original data set.
    mkdirSync(join(dir, 'data'), { recursive: true });
    copyFileSync(opts.sqliteFile, join(dir, 'data', 'tessera.db'));
  }
  const port = await freePort();
  const env = {
    TESSERA_DATA_DIR: join(dir, 'data'),
    TESSERA_ADMIN_EMAIL: ADMIN.email,
    TESSERA_ADMIN_PASSWORD: ADMIN.password,
    TESSERA_ROLES: 'web,worker',
    TESSERA_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const proc: ChildProcess = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, DATABASE_URL: '', ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('API docs:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('exit', (code) => reject(new Error(`server exited ${code}:\n${output}`)));
  });
  proc.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir: env.TESSERA_DATA_DIR,
    env,
    async stop() {
      if (proc.exitCode === null) {
        await new Promise<void>((resolve) => {
          proc.once('exit', () => resolve());
          proc.kill('SIGTERM');
          setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a `tessera` CLI command against the same data directory (e.g. seed-demo). */
export async function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: '', ...env }, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** A cookie-session API client, as the SPA itself talks to the server (for seeding data). */
export class ApiSession {
  private cookie = '';
  private csrf = '';
  constructor(private readonly base: string) {}

  static async signIn(base: string, email: string, password: string): Promise<ApiSession> {
    const s = new ApiSession(base);
    const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    s.cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    s.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    return s;
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { cookie: this.cookie, 'x-csrf-token': this.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}
