import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import { createPostgresDatabase, ensurePostgresDatabase } from './dialect/postgres.js';
import { createSqliteDatabase } from './dialect/sqlite.js';
import type { Database } from './dialect/types.js';

export type { AnyDb, Database, DialectName } from './dialect/types.js';

export interface DbOptions {
  databaseUrl?: string | undefined;
  /** SQLite file; ':memory:' in tests. Defaults to `<dataDir>/tessera.db`. */
  sqliteFile?: string;
  dataDir?: string;
  pgPoolSize?: number;
}

export async function createDatabase(opts: DbOptions): Promise<Database> {
  if (opts.databaseUrl) {
    await ensurePostgresDatabase(opts.databaseUrl);
    return createPostgresDatabase({ url: opts.databaseUrl, poolSize: opts.pgPoolSize ?? 10 });
  }
  let file = opts.sqliteFile;
  if (!file) {
    const dir = opts.dataDir ?? './data';
    mkdirSync(dir, { recursive: true });
    file = join(dir, 'tessera.db');
  }
  return createSqliteDatabase({ file });
}

export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider: migrationProvider(database.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
