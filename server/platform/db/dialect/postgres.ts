import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { registerDataVersion } from './data-version.js';
import type { ChannelHandlers, ChannelListener, Database } from './types.js';

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const JSON_OID = 114;
const JSONB = 3802;

/**
 * Both dialects must hand repositories identical rows: counts as numbers, timestamps as ISO
 * strings and JSON as text (what SQLite stores), so these parsers run per pool rather than globally.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    // JSON stays text, as SQLite returns it, so one row mapper parses both.
    if (oid === JSON_OID || oid === JSONB) return (v: string) => v;
    if (oid === TIMESTAMPTZ || oid === TIMESTAMP) return (v: string) => new Date(v.includes('+') || v.endsWith('Z') ? v : `${v}Z`).toISOString();
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PostgresOptions {
  url: string;
  poolSize: number;
}

export function createPostgresDatabase(opts: PostgresOptions): Database {
  // The session time zone is set at connect time (startup option), so no query races the first one.
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize, types: types as pg.CustomTypesConfig, options: '-c TimeZone=UTC' });
  // An idle connection the server ends (restart, DROP DATABASE) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', (err) => {
    if (process.env.LOG_LEVEL !== 'silent') console.warn(`PostgreSQL idle connection closed: ${err.message}`);
  });
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  registerDataVersion(db, async () => (await sql<{ v: string }>`SELECT pg_current_snapshot()::text AS v`.execute(db)).rows[0]!.v);
  const url = new URL(opts.url);
  return {
    db,
    dialect: 'postgres',
    capabilities: { skipLocked: true, listenNotify: true, concurrentWriters: true, transactionalDdl: true },
    describe: `${url.hostname}:${url.port || 5432}${url.pathname}`,
    listen: (channel, handlers) => listenOnChannel(opts.url, channel, handlers),
    async backup() {
      throw new Error(
        'On PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file=tessera.dump "$DATABASE_URL"`; restore with pg_restore.',
      );
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to queries). When the
 * connection drops it is re-opened with backoff, and `onReconnect` lets the caller resync,
 * since NOTIFY is not queued for an absent listener.
 */
async function listenOnChannel(connectionString: string, channel: string, handlers: ChannelHandlers): Promise<ChannelListener> {
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  const open = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (m) => {
      if (m.channel === channel && m.payload !== undefined) handlers.onMessage(m.payload);
    });
    c.on('error', (err) => handlers.onError?.(err));
    c.on('end', () => {
      if (client === c) client = null;
      if (!closed) retry();
    });
    await c.connect();
    await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    client = c;
  };
  const retry = () => {
    if (closed || timer) return;
    failures += 1;
    timer = setTimeout(() => {
      timer = null;
      open().then(
        () => {
          failures = 0;
          handlers.onReconnect?.();
        },
        (err: Error) => {
          handlers.onError?.(err);
          retry();
        },
      );
    }, Math.min(5000, 100 * 2 ** failures));
    timer.unref();
  };
  await open();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    },
  };
}

/** Creates a database when missing (tests, first start); needs a connection to `postgres`. */
export async function ensurePostgresDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
