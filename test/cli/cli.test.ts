import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../server/platform/db/database.js';
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

/** Runs a command that must fail, and returns how: the exit code and what it printed on stderr. */
async function failure(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await cli(args, env);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`tessera ${args.join(' ')} succeeded`);
}

/** An operator's failure: one line that says what to do, never a stack trace. */
function expectOneLine(f: { code: number; stderr: string }, pattern: RegExp): void {
  expect(f.code, f.stderr).toBe(1);
  expect(f.stderr.trim(), f.stderr).toMatch(pattern);
  expect(f.stderr.trim().split('\n'), f.stderr).toHaveLength(1);
}

describe('operator mistakes with the CLI', SLOW, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-ops-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a busy port fails in one line and does not use up the first admin\'s generated password', async () => {
    const env = { TESSERA_DATA_DIR: join(dir, 'busy'), LOG_LEVEL: 'warn' };
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    try {
      const busy = await failure(['serve'], { ...env, PORT: String(port), TESSERA_ROLES: 'web' });
      expectOneLine(busy, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use; set PORT`));
      // A worker takes no port: it starts beside the process that holds it.
      const worker = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, TESSERA_DATA_DIR: join(dir, 'worker'), LOG_LEVEL: 'warn', PORT: String(port), TESSERA_ROLES: 'worker' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let said = '';
      worker.stdout!.on('data', (d: Buffer) => (said += d.toString()));
      worker.stderr!.on('data', (d: Buffer) => (said += d.toString()));
      await expect.poll(() => said, { timeout: 60_000, interval: 200 }).toContain('no web role, so no HTTP port');
      expect(said).not.toContain('Cannot listen');
      await stop(worker);
    } finally {
      holder.close();
    }
    // Had the failed start made the admin, this start would make none and the password would be lost.
    const srv = await start({ ...env, TESSERA_ROLES: 'web' });
    await stop(srv.proc);
    expect(srv.output).toContain('First admin created: admin@example.com');
  });

  it('bad settings, an unreachable database and an unwritable data directory fail in one line', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const [noName, down, publicUrl, dataDir, pgBackup] = await Promise.all([
      // Without a name the driver would use the maintenance database `postgres` and migrate it.
      failure(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1' }),
      failure(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tessera' }),
      failure(['migrate'], { TESSERA_DATA_DIR: join(dir, 'url'), TESSERA_PUBLIC_URL: 'help.example.com' }),
      failure(['migrate'], { TESSERA_DATA_DIR: join(file, 'data') }),
      // Explained without connecting: it must neither fail on nor create the database.
      failure(['backup', join(dir, 'pg.dump')], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tessera' }),
    ]);
    expectOneLine(noName, /DATABASE_URL: must name the database/);
    expectOneLine(down, /^PostgreSQL at 127\.0\.0\.1:1\/tessera: cannot connect \(ECONNREFUSED\); check DATABASE_URL$/);
    expectOneLine(publicUrl, /TESSERA_PUBLIC_URL: must start with http:\/\/ or https:\/\//);
    expectOneLine(dataDir, /^Data directory .*a-file\/data cannot be created: part of its path is a file; set TESSERA_DATA_DIR/);
    expectOneLine(pgBackup, /on PostgreSQL use pg_dump: pg_dump --format=custom --file=.*pg\.dump "\$DATABASE_URL"/);
    expect((await failure(['migrate', '--bogus'], {})).code).toBe(2);
  });

  it('seed-demo before the first start makes and prints the first admin; --tickets 0 seeds the people only', async () => {
    const env = { TESSERA_DATA_DIR: join(dir, 'seeded') };
    const { stdout } = await cli(['seed-demo', '--tickets', '0'], env);
    expect(stdout).toMatch(/First admin created: admin@example.com\nPassword \(shown once[^)]*\): \S+/);
    expect(stdout).toContain('Seeded 0 tickets, 0 contacts, 6 agents.');
    expectOneLine(await failure(['seed-demo', '--tickets', 'abc'], env), /--tickets must be a whole number/);
  });

  it('create-admin refuses a weak, empty or malformed login and says who already exists; token create refuses deactivated users', async () => {
    const env = { TESSERA_DATA_DIR: join(dir, 'people') };
    await cli(['create-admin', '--email', 'ops@acme.test', '--password', 'long enough'], env);
    const [weak, empty, email, again] = await Promise.all([
      failure(['create-admin', '--email', 'weak@acme.test', '--password', 'short'], env),
      failure(['create-admin', '--email', 'empty@acme.test', '--password', ''], env),
      failure(['create-admin', '--email', 'not-an-email'], env),
      failure(['create-admin', '--email', 'OPS@acme.test'], env),
    ]);
    expectOneLine(weak, /^--password: must be 8 to 1024 characters$/);
    expectOneLine(empty, /^--password: must be 8 to 1024 characters$/);
    expectOneLine(email, /^--email: /);
    expectOneLine(again, /^ops@acme\.test already exists \(admin\)/);
    const database = await createDatabase({ dataDir: join(dir, 'people') });
    await sql`UPDATE users SET active = 0 WHERE email = ${'ops@acme.test'}`.execute(database.db);
    await database.close();
    const [deactivated, noScopes] = await Promise.all([
      failure(['token', 'create', '--user', 'ops@acme.test'], env),
      failure(['token', 'create', '--user', 'ops@acme.test', '--scopes', ','], env),
    ]);
    expectOneLine(deactivated, /^ops@acme\.test is deactivated/);
    expectOneLine(noScopes, /^--scopes needs one or more of read, write, admin$/);
  });

  it('backup refuses a missing directory and a data directory without a database, leaving nothing behind', async () => {
    const env = { TESSERA_DATA_DIR: join(dir, 'wrong-dir') };
    const [noDir, noDb] = await Promise.all([failure(['backup', join(dir, 'missing', 'b.db')], { TESSERA_DATA_DIR: join(dir, 'people') }), failure(['backup', join(dir, 'b.db')], env)]);
    expectOneLine(noDir, /missing is not an existing directory$/);
    // A directory no file can be made in is named, with the cause (SQLite says only "unable to open database file").
    expectOneLine(await failure(['backup', '/proc/b.db'], { TESSERA_DATA_DIR: join(dir, 'people') }), /^Cannot (create \/proc\/b\.db|write to \/proc)/);
    // A wrong TESSERA_DATA_DIR used to make a new, empty database and "back up" that.
    expectOneLine(noDb, /^No database at .*wrong-dir\/tessera\.db; set TESSERA_DATA_DIR/);
    expect(existsSync(join(dir, 'wrong-dir'))).toBe(false);
    expect(readdirSync(dir)).not.toContain('b.db');
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
