import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { openSystem, serve, VERSION } from './main.js';
import { systemActor, type Ctx } from './platform/context.js';
import type { AppDeps } from './platform/http/types.js';
import { AppError } from './platform/errors.js';
import { createApiToken, createUser, findUserForCli } from './modules/auth/index.js';

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
  seed-demo [--tickets N]            fill the database with realistic demo data (default 200)
  mail-pipe --mailbox ADDRESS < message.eml
                                     store one raw message for a mailbox (MTA pipe transport);
                                     exits 0 stored, 65 bad input (bounce), 75 try again later

Configuration is read from the environment (see README.md): DATABASE_URL, TESSERA_DATA_DIR, PORT, ...`;

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

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'mail-pipe' && rest.some((a) => a === '--help' || a === '-h')) {
    console.log(HELP);
    return 0;
  }
  switch (command) {
    case 'serve':
    case undefined: {
      const server = await serve(loadConfig());
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1;
    }
    case 'migrate':
      await withSystem(async (deps) => console.log(`Database ${deps.database.dialect} (${deps.database.describe}) is up to date.`));
      return 0;
    case 'create-admin': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } });
      if (!values.email) throw new AppError('bad_request', '--email is required');
      const { randomToken } = await import('./platform/ids.js');
      const password = values.password ?? randomToken(12);
      await withSystem(async (deps) => {
        const user = await createUser(ctxFor(deps), { email: values.email!.toLowerCase(), name: values.name ?? 'Administrator', role: 'admin', password, restrictedToGroups: false, skills: [], maxLoad: null, available: true, groupIds: [] });
        console.log(`Created admin ${user.email}${values.password ? '' : `\nPassword (shown once): ${password}`}`);
      });
      return 0;
    }
    case 'token': {
      const [sub, ...opts] = rest;
      if (sub !== 'create') throw new AppError('bad_request', 'Usage: tessera token create --user EMAIL');
      const { values } = parseArgs({ args: opts, options: { user: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } } });
      if (!values.user) throw new AppError('bad_request', '--user EMAIL is required');
      await withSystem(async (deps) => {
        const ctx = ctxFor(deps);
        const user = await findUserForCli(ctx, values.user!);
        if (!user) throw new AppError('not_found', `No user with email ${values.user}`);
        const scopes = (values.scopes ?? 'read,write').split(',').map((s) => s.trim()) as ('read' | 'write' | 'admin')[];
        const bad = scopes.filter((s) => !['read', 'write', 'admin'].includes(s));
        if (bad.length) throw new AppError('bad_request', `Unknown scope(s): ${bad.join(', ')}`);
        const token = await createApiToken(ctx, { name: values.name ?? 'cli', scopes, expiresAt: null, userId: user.id });
        console.log(token.token);
        // On stderr, so `TOKEN=$(npx tessera token create ...)` still captures the token alone.
        console.error(`Scopes: ${scopes.join(', ')}${scopes.includes('admin') || user.role !== 'admin' ? '' : ' (add --scopes read,write,admin for admin routes such as import, users and settings)'}`);
      });
      return 0;
    }
    case 'backup': {
      const file = rest[0];
      if (!file) throw new AppError('bad_request', 'Usage: tessera backup <file>');
      const target = resolve(file);
      if (existsSync(target)) throw new AppError('conflict', `${target} already exists; choose a new file name`);
      await withSystem(async (deps) => {
        await deps.database.backup(target);
        console.log(`Backup written to ${target}`);
      });
      return 0;
    }
    case 'seed-demo': {
      const { values } = parseArgs({ args: rest, options: { tickets: { type: 'string', default: '200' } } });
      const count = Number(values.tickets);
      if (!Number.isInteger(count) || count < 1) throw new AppError('bad_request', '--tickets must be a positive whole number');
      const { seedDemo } = await import('./seed/demo-data.js');
      await withSystem(async (deps) => {
        const result = await seedDemo(ctxFor(deps), { tickets: count, log: (m) => console.log(m) });
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

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    // An unknown or malformed option (node:util parseArgs): say which, then how to call it.
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      console.error(`${(err as Error).message}\n\n${HELP}`);
      process.exit(2);
    }
    if (err instanceof ConfigError || err instanceof AppError) console.error(err.message);
    else console.error(err);
    process.exit(1);
  },
);
