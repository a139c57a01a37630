import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { openSystem } from '../../server/main.js';
import { createApiToken, createUser } from '../../server/modules/auth/index.js';
import { systemActor } from '../../server/platform/context.js';

export const BIN = join(import.meta.dirname, '../../bin/tessera.mjs');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Served {
  proc: ChildProcess;
  output: () => string;
  url: string;
}

/** Starts `tessera serve` and resolves once it printed that HTTP (and SMTP, if asked) listen. */
export async function serve(env: Record<string, string>, opts: { waitForSmtp: boolean }): Promise<Served> {
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const ready = () => output.includes('API docs:') && (!opts.waitForSmtp || output.includes('Inbound SMTP listening'));
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (ready()) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}:\n${output}`));
    });
  });
  proc.removeAllListeners('exit');
  return { proc, output: () => output, url: `http://127.0.0.1:${port}` };
}

export async function stop(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

/** Runs the CLI, optionally feeding stdin; resolves with the exit code and what it printed. */
export function cli(args: string[], env: Record<string, string>, stdin?: Buffer | string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
    else child.stdin!.end();
  });
}

export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** A fresh installation with an admin and an admin API token (in-process: no extra CLI start-ups). */
export async function installation(env: Record<string, string>): Promise<string> {
  const deps = await openSystem(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  try {
    const ctx = { actor: systemActor('test'), requestId: 'test', now: new Date(), db: deps.database.db, events: deps.events };
    const user = await createUser(ctx, { email: 'admin@acme.test', name: 'Admin', role: 'admin', password: 'correct horse battery', restrictedToGroups: false, skills: [], maxLoad: null, available: true, groupIds: [] });
    return (await createApiToken(ctx, { name: 'test', scopes: ['read', 'write', 'admin'], expiresAt: null, userId: user.id })).token;
  } finally {
    await deps.events.idle();
    await deps.database.close();
  }
}
