import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDatabase, migrateToLatest, type Database } from '../server/platform/db/database.js';
import { dropPostgresDatabase } from '../server/platform/db/dialect/postgres.js';

export const BENCH_OUT = join(fileURLToPath(new URL('.', import.meta.url)), 'out');

export interface BenchDatabase {
  database: Database;
  tickets: number;
  pg: boolean;
  /** True when the data set must be generated (a new file or database). */
  fresh: boolean;
  values: Record<string, string | boolean | undefined>;
}

/**
 * The data set of one of the focused benches (`--sla`, `--automations`, `--reports`): its own
 * SQLite file under bench/out or its own PostgreSQL database, regenerated unless `--skip-generate`
 * finds one to reuse, migrated.
 */
export async function openBenchDatabase(
  argv: string[],
  name: string,
  opts: { extra?: Record<string, { type: 'string'; default: string }>; suffix?: (values: BenchDatabase['values']) => string } = {},
): Promise<BenchDatabase> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: { [name]: { type: 'boolean' }, tickets: { type: 'string', default: '1000000' }, 'skip-generate': { type: 'boolean', default: false }, db: { type: 'string', default: 'sqlite' }, ...opts.extra },
  });
  const tickets = Number(values.tickets);
  const pg = values.db === 'postgres';
  const pgUrl = `postgres://postgres@127.0.0.1:5432/tessera_bench_${name}`;
  mkdirSync(BENCH_OUT, { recursive: true });
  const file = join(BENCH_OUT, `${name}-${tickets}${opts.suffix?.(values) ?? ''}.db`);
  const fresh = !values['skip-generate'] || (!pg && !existsSync(file));
  if (fresh) {
    if (pg) await dropPostgresDatabase(pgUrl).catch(() => undefined);
    else for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  }
  const database = await createDatabase(pg ? { databaseUrl: pgUrl, pgPoolSize: 4 } : { sqliteFile: file, dataDir: BENCH_OUT });
  await migrateToLatest(database);
  return { database, tickets, pg, fresh, values };
}
