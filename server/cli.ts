import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createUserRequest } from '../contracts/auth.js';
import { ConfigError, loadConfig } from './config.js';
import { firstAdminLines, openDatabase, openSystem, serve, StartupError, VERSION } from './main.js';
import { systemActor, type Ctx } from './platform/context.js';
import type { AppDeps } from './platform/http/types.js';
import { AppError } from './platform/errors.js';
import { createApiToken, createUser, ensureFirstAdmin, findUserForCli } from './modules/auth/index.js';

const HELP = `Tessera ${VERSION}: help desk

Usage: npx tessera <command> [options]

Commands:
  serve                              migrate, create the first admin if none, start all roles
  migrate                            apply database migrations and exit
  create-admin --email E [--name N] [--password P]
                                     create an administrator (password generated when omitted)
  token create --user EMAIL [--name N] [--scopes read,write,admin]
                                     print a new API token for scripts
  backup <file>                      SQLite online backup (on PostgreSQL: explains pg_dump)
  seed-demo [--tickets N]            fill the database with realistic demo data (default 200;
                                     0 makes the demo groups, agents and organizations only)
  mail-pipe --mailbox ADDRESS < message.eml
                                     store one raw message for a mailbox (MTA pipe transport);
                                     exits 0 stored, 65 bad input (bounce), 75 try again later

Configuration is read from the environment (see README.md): DATABASE_URL, TESSERA_DATA_DIR, PORT, ...`;

/** A call the CLI cannot make sense of: exits 2 and shows how to call it, like an unknown option. */
class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Every command parses strictly: a mistyped option or a stray argument is refused rather than
 * ignored, so `serve --port 8080` does not start on 3000 without a word.
 */
function parse<O extends Options>(args: string[], options: O, positionals: { max: number; usage: string }) {
  const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  if (parsed.positionals.length > positionals.max) throw new UsageError(`Unexpected argument "${parsed.positionals[positionals.max]}". Usage: ${positionals.usage}`);
  return parsed;
}

function ctxFor(deps: AppDeps): Ctx {
  return { actor: systemActor('cli'), requestId: 'cli', now: deps.clock.now(), db: deps.database.db, events: deps.events };
}

async function withSystem<T>(fn: (deps: AppDeps) => Promise<T>): Promise<T> {
  const deps = await openSystem(loadConfig());
  try {
    return await fn(deps);
  } finally {
    await deps.events.idle();
    await deps.database.close();
  }
}

const SCOPES = ['read', 'write', 'admin'] as const;
type Scope = (typeof SCOPES)[number];

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'mail-pipe' && rest.some((a) => a === '--help' || a === '-h')) {
    console.log(HELP);
    return 0;
  }
  switch (command) {
    case 'serve':
    case undefined: {
      parse(rest, {}, { max: 0, usage: 'tessera serve' });
      const server = await serve(loadConfig());
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        // A second Ctrl-C while requests and jobs are draining means "now".
        if (stopping) process.exit(1);
        stopping = true;
        console.log(`${signal}: stopping (finishing requests and jobs in progress) ...`);
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(`Stopped with an error: ${oneLine(err instanceof Error ? err.message : String(err))}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return -1;
    }
    case 'migrate':
      parse(rest, {}, { max: 0, usage: 'tessera migrate' });
      await withSystem(async (deps) => console.log(`Database ${deps.database.dialect} (${deps.database.describe}) is up to date.`));
      return 0;
    case 'create-admin': {
      const { values } = parse(rest, { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } }, { max: 0, usage: 'tessera create-admin --email E [--name N] [--password P]' });
      if (values.email === undefined) throw new UsageError('--email is required');
      const { randomToken } = await import('./platform/ids.js');
      // The same rules as an admin creating a user in the workspace: a real address, 8+ characters.
      const input = createUserRequest.safeParse({ email: values.email, name: values.name ?? 'Administrator', role: 'admin', password: values.password ?? randomToken(12) });
      if (!input.success) {
        throw new AppError('bad_request', input.error.issues.map((i) => `--${String(i.path[0])}: ${i.path[0] === 'password' ? 'must be 8 to 1024 characters' : i.message}`).join('; '));
      }
      await withSystem(async (deps) => {
        const ctx = ctxFor(deps);
        const existing = await findUserForCli(ctx, input.data.email);
        if (existing) {
          throw new AppError('conflict', `${existing.email} already exists (${existing.role}${existing.active ? '' : ', deactivated'}); change it under Administration > Users or with PATCH /api/v1/users/${existing.id}`);
        }
        const user = await createUser(ctx, input.data);
        console.log(`Created admin ${user.email}${values.password ? '' : `\nPassword (shown once): ${input.data.password}`}`);
      });
      return 0;
    }
    case 'token': {
      const [sub, ...opts] = rest;
      if (sub !== 'create') throw new UsageError(sub ? `Unknown token command "${sub}". Usage: tessera token create --user EMAIL` : 'Usage: tessera token create --user EMAIL');
      const { values } = parse(opts, { user: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } }, { max: 0, usage: 'tessera token create --user EMAIL [--name N] [--scopes read,write,admin]' });
      if (!values.user) throw new UsageError('--user EMAIL is required');
      const scopes = [...new Set((values.scopes ?? 'read,write').split(',').map((s) => s.trim()).filter(Boolean))];
      if (scopes.length === 0) throw new AppError('bad_request', `--scopes needs one or more of ${SCOPES.join(', ')}`);
      const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (bad.length) throw new AppError('bad_request', `Unknown scope(s): ${bad.join(', ')} (known: ${SCOPES.join(', ')})`);
      await withSystem(async (deps) => {
        const ctx = ctxFor(deps);
        const user = await findUserForCli(ctx, values.user!);
        if (!user) throw new AppError('not_found', `No user with email ${values.user}`);
        // Either would print a token that every request then refuses.
        if (!user.active) throw new AppError('bad_request', `${user.email} is deactivated; reactivate the account before making a token for it`);
        if (user.role === 'customer') throw new AppError('bad_request', `${user.email} is a customer; API tokens are for agents and administrators`);
        const token = await createApiToken(ctx, { name: values.name ?? 'cli', scopes: scopes as Scope[], expiresAt: null, userId: user.id });
        console.log(token.token);
        // On stderr, so `TOKEN=$(npx tessera token create ...)` still captures the token alone.
        console.error(`Scopes: ${scopes.join(', ')}${scopes.includes('admin') || user.role !== 'admin' ? '' : ' (add --scopes read,write,admin for admin routes such as import, users and settings)'}`);
      });
      return 0;
    }
    case 'backup': {
      const { positionals } = parse(rest, {}, { max: 1, usage: 'tessera backup <file>' });
      const file = positionals[0];
      if (!file) throw new UsageError('Usage: tessera backup <file>');
      const config = loadConfig();
      // Decided before connecting: explaining pg_dump must not create or migrate the database.
      if (config.databaseUrl) {
        throw new AppError('bad_request', `backup copies SQLite only; on PostgreSQL use pg_dump: pg_dump --format=custom --file=${file} "$DATABASE_URL" (restore with pg_restore)`);
      }
      const target = resolve(file);
      if (existsSync(target)) throw new AppError('conflict', `${target} already exists; choose a new file name`);
      if (!existsSync(dirname(target)) || !statSync(dirname(target)).isDirectory()) throw new AppError('bad_request', `${dirname(target)} is not an existing directory`);
      // SQLite would say only "unable to open database file".
      try {
        accessSync(dirname(target), constants.W_OK);
      } catch {
        throw new AppError('forbidden', `Cannot write to ${dirname(target)} (permission denied or a read-only file system); choose another directory`);
      }
      // A wrong TESSERA_DATA_DIR would otherwise make a new, empty database and "back up" that.
      const source = join(config.dataDir, 'tessera.db');
      if (!existsSync(source)) throw new AppError('not_found', `No database at ${source}; set TESSERA_DATA_DIR to the server's data directory`);
      // Not migrated first: a backup taken before an upgrade must hold the old schema, as it was.
      const database = await openDatabase(config);
      try {
        await database.backup(target);
      } catch (err) {
        rmSync(target, { force: true });
        // SQLite names neither the file nor the cause when it cannot create the copy.
        if (err instanceof Error && /unable to open database file/.test(err.message)) throw new AppError('bad_request', `Cannot create ${target} (${err.message}); choose a file in a writable directory`);
        throw err;
      } finally {
        await database.close();
      }
      console.log(`Backup written to ${target}\nAttachments are files, not in the backup: copy ${join(config.dataDir, 'blobs')} as well.`);
      return 0;
    }
    case 'seed-demo': {
      const { values } = parse(rest, { tickets: { type: 'string', default: '200' } }, { max: 0, usage: 'tessera seed-demo [--tickets N]' });
      const count = /^\d+$/.test(values.tickets.trim()) ? Number(values.tickets) : NaN;
      if (!Number.isSafeInteger(count)) throw new AppError('bad_request', '--tickets must be a whole number (0 seeds the people only)');
      const { seedDemo } = await import('./seed/demo-data.js');
      const config = loadConfig();
      await withSystem(async (deps) => {
        const ctx = ctxFor(deps);
        // Seeded before the first start, the demo agents would be the only users and `serve`
        // would make no administrator; make it here, as serve would, and say so.
        const admin = await ensureFirstAdmin(ctx, config.admin);
        if (admin) console.log(firstAdminLines(admin).join('\n'));
        const result = await seedDemo(ctx, { tickets: count, log: (m) => console.log(m) });
        console.log(`Seeded ${result.tickets} tickets, ${result.contacts} contacts, ${result.agents} agents.`);
      });
      return 0;
    }
    case 'mail-pipe': {
      const { runMailPipe, EX_DATAERR } = await import('./modules/channels/index.js');
      let mailbox: string | undefined;
      try {
        mailbox = parseArgs({ args: rest, options: { mailbox: { type: 'string' } } }).values.mailbox;
      } catch (err) {
        console.error(`mail-pipe: ${err instanceof Error ? err.message : String(err)}`);
        return EX_DATAERR;
      }
      return runMailPipe({ mailbox, input: process.stdin, open: () => openSystem(loadConfig()), report: (line) => console.error(line) });
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;
    case '--version':
      console.log(VERSION);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}

/** Messages made of several lines (a list of configuration problems) joined into one. */
function oneLine(message: string): string {
  const [first = '', ...more] = message.split('\n').map((l) => l.trim()).filter(Boolean);
  return more.length ? `${first} ${more.join('; ')}` : first;
}

const verbose = (): boolean => process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace';

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    // An unknown or malformed option (node:util parseArgs): say which, then how to call it.
    const code = (err as { code?: unknown } | null)?.code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))) {
      // Node appends a paragraph on '--' to its unknown-option message; the first sentence says it.
      const said = (err as Error).message.replace(/^(Unknown option '[^']*'\.) To specify .*$/s, '$1');
      console.error(`${said}\n\n${HELP}`);
      process.exit(2);
    }
    // An operator gets one line that names the cause; the stack is for LOG_LEVEL=debug.
    const known = err instanceof ConfigError || err instanceof AppError || err instanceof StartupError;
    const message = oneLine(err instanceof Error ? err.message : String(err));
    console.error(known ? message : `Failed: ${message} (LOG_LEVEL=debug shows the details)`);
    if (verbose()) console.error(err instanceof Error && err.cause ? err.cause : err);
    process.exit(1);
  },
);
