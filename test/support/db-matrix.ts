import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createDatabase, migrateToLatest, type Database } from '../../server/platform/db/database.js';
import { dropPostgresDatabase } from '../../server/platform/db/dialect/postgres.js';
import { createSqliteDatabase } from '../../server/platform/db/dialect/sqlite.js';

export type TestDialect = 'sqlite' | 'postgres';

const PG_BASE = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
let pgReachable: Promise<boolean> | null = null;

async function postgresReachable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: `${PG_BASE}/postgres`, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  })();
  return pgReachable;
}

/** A fresh, migrated database: SQLite in memory, or a new PostgreSQL database dropped afterwards. */
export async function openTestDatabase(dialect: TestDialect): Promise<{ database: Database; dispose(): Promise<void> }> {
  if (dialect === 'sqlite') {
    // A file, not ':memory:', so tests run the production path: WAL, a reader beside the writer.
    const dir = mkdtempSync(join(tmpdir(), 'tessera-db-'));
    const database = createSqliteDatabase({ file: join(dir, 'test.db') });
    await migrateToLatest(database);
    return {
      database,
      async dispose() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!(await postgresReachable())) {
    throw new Error(`PostgreSQL is not reachable at ${PG_BASE}; start it or unset REQUIRE_POSTGRES`);
  }
  const url = `${PG_BASE}/tessera_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = await createDatabase({ databaseUrl: url, pgPoolSize: 5 });
  await migrateToLatest(database);
  return {
    database,
    async dispose() {
      await database.close();
      await dropPostgresDatabase(url);
    },
  };
}

/**
 * Runs a suite once per dialect. PostgreSQL is skipped only when it is unreachable and
 * REQUIRE_POSTGRES is not 1; with REQUIRE_POSTGRES=1 an unreachable server fails the suite.
 */
export function describeEachDialect(name: string, body: (dialect: TestDialect) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const required = process.env.REQUIRE_POSTGRES === '1';
    const skip = dialect === 'postgres' && !required && !(globalThis as { __pgUp?: boolean }).__pgUp;
    (skip ? describe.skip : describe)(`${name} [${dialect}]`, () => body(dialect));
  }
}

export { beforeAll, afterAll };
