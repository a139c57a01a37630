import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPostgresDatabase } from '../../server/platform/db/dialect/postgres.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/tessera.mjs');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `tessera serve` and resolves with everything it printed once it is listening. */
async function start(env: Record<string, string>): Promise<{ proc: ChildProcess; output: string; url: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('API docs:') && /First admin|is running/.test(output)) {
        clearTimeout(timer);
        setTimeout(resolve, 100);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.on('exit', (code) => reject(new Error(`server exited ${code}:\n${output}`)));
  });
  proc.removeAllListeners('exit');
  return { proc, output, url: `http://127.0.0.1:${port}` };
}

async function stop(proc: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

// Each test starts real Node processes (TypeScript loaded at start): on a busy 2-core machine that
// takes far longer than the in-process tests' default allows.
const SLOW = { timeout: 120_000 };

const cli = (args: string[], env: Record<string, string>) => run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });

describe('npm start and the tessera CLI on SQLite', SLOW, () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    env = { TESSERA_DATA_DIR: join(dir, 'data') };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('first start creates ./data, migrates, prints the URL and a generated admin password once', async () => {
    const first = await start(env);
    try {
      expect(first.output).toMatch(/Tessera .* is running at http:\/\/localhost:\d+/);
      expect(first.output).toContain('First admin created: admin@example.com');
      const password = /Password \(shown once[^)]*\): (\S+)/.exec(first.output)?.[1];
      expect(password).toBeTruthy();
      expect(existsSync(join(dir, 'data', 'tessera.db'))).toBe(true);
      const health = await (await fetch(`${first.url}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', db: 'sqlite' });
      const login = await fetch(`${first.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password }) });
      expect(login.status, first.output).toBe(200);
      const docs = await fetch(`${first.url}/api/docs`, { redirect: 'follow' });
      expect(docs.status).toBe(200);
      const spec = await (await fetch(`${first.url}/api/v1/openapi.json`)).json();
      expect(spec.openapi).toMatch(/^3\./);
      for (const path of ['/api/v1/tickets', '/api/v1/tickets/{number}', '/api/v1/tickets/{number}/messages', '/api/v1/tickets/{number}/events', '/api/v1/tickets/{number}/merge', '/api/v1/tickets/{number}/split', '/api/v1/tickets/bulk', '/api/v1/contacts', '/api/v1/organizations', '/api/v1/users', '/api/v1/groups', '/api/v1/views', '/api/v1/custom-fields', '/api/v1/search', '/api/v1/tokens', '/api/v1/auth/login', '/api/v1/me']) {
        expect(spec.paths[path], path).toBeDefined();
      }
    } finally {
      await stop(first.proc);
    }
    const second = await start(env);
    await stop(second.proc);
    expect(second.output).not.toContain('First admin created');
  });

  it('token create prints a working API token; backup writes a consistent copy', async () => {
    const { stdout } = await cli(['token', 'create', '--user', 'admin@example.com', '--scopes', 'read'], env);
    const token = stdout.trim();
    expect(token).toMatch(/^tsk_/);
    const srv = await start(env);
    try {
      const me = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect((await me.json()).user.email).toBe('admin@example.com');
    } finally {
      await stop(srv.proc);
    }
    const file = join(dir, 'backup.db');
    await cli(['backup', file], env);
    expect(existsSync(file)).toBe(true);
    // The copy is a complete database: a server pointed at it knows the same users.
    const restored = join(dir, 'restored');
    mkdirSync(restored);
    copyFileSync(file, join(restored, 'tessera.db'));
    expect((await cli(['token', 'create', '--user', 'admin@example.com'], { TESSERA_DATA_DIR: restored })).stdout).toMatch(/^tsk_/);
    await expect(cli(['backup', file], env)).rejects.toMatchObject({ stderr: expect.stringContaining('already exists') });
  });

  it('create-admin, seed-demo and migrate work; bad input exits non-zero with a clear message', async () => {
    const { stdout } = await cli(['create-admin', '--email', 'Second@Example.com', '--name', 'Second'], env);
    expect(stdout).toMatch(/Created admin second@example.com\nPassword \(shown once\): \S+/);
    const seeded = await cli(['seed-demo', '--tickets', '25'], env);
    expect(seeded.stdout).toContain('Seeded 25 tickets');
    expect((await cli(['migrate'], env)).stdout).toContain('up to date');
    await expect(cli(['frobnicate'], env)).rejects.toMatchObject({ code: 2 });
    await expect(cli(['migrate'], { ...env, PORT: 'abc' })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('PORT') });
    await expect(cli(['token', 'create', '--user', 'nobody@example.com'], env)).rejects.toMatchObject({ stderr: expect.stringContaining('No user with email') });
    expect((await cli(['token', 'create', '--help'], env)).stdout).toContain('token create --user EMAIL');
    await expect(cli(['token', 'create', '--usr', 'admin@example.com'], env)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--usr[\s\S]*Usage: npx tessera/) });
    expect((await cli(['token', 'create', '--user', 'admin@example.com'], env)).stderr).toContain('--scopes read,write,admin');
  });
});

describe('npm start on PostgreSQL', SLOW, () => {
  const url = `postgres://postgres@127.0.0.1:5432/tessera_cli_${process.pid}`;
  const pgUp = (globalThis as { __pgUp?: boolean }).__pgUp || process.env.REQUIRE_POSTGRES === '1';
  afterAll(async () => {
    if (pgUp) await dropPostgresDatabase(url);
  });

  it.runIf(pgUp)('runs the same command on DATABASE_URL and uses the configured admin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
    const srv = await start({ DATABASE_URL: url, TESSERA_DATA_DIR: dir, TESSERA_ADMIN_EMAIL: 'boss@acme.test', TESSERA_ADMIN_PASSWORD: 'boss password' });
    try {
      expect(srv.output).toContain('First admin created: boss@acme.test');
      expect(srv.output).not.toMatch(/shown once/);
      const health = await (await fetch(`${srv.url}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', db: 'postgres' });
      const login = await fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'boss@acme.test', password: 'boss password' }) });
      expect(login.status).toBe(200);
    } finally {
      await stop(srv.proc);
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(cli(['backup', join(tmpdir(), `x-${process.pid}.db`)], { DATABASE_URL: url })).rejects.toMatchObject({ stderr: expect.stringContaining('pg_dump') });
  });
});
