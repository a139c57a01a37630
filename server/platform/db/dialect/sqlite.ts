import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { registerDataVersion } from './data-version.js';
import { enableWriteBatching } from '../write-batcher.js';
import { startCheckpointer, WRITER_CHECKPOINT_PAGES } from './sqlite-checkpointer.js';
import { TesseraSqliteDialect } from './sqlite-driver.js';
import type { Database } from './types.js';
import { UNICODE_LOWER } from './sql-functions.js';

export interface SqliteOptions {
  /** A file path, or ':memory:' for tests. */
  file: string;
}

/**
 * One connection, one writer: Kysely's SQLite driver serialises every query through a single
 * better-sqlite3 handle, which is exactly SQLite's concurrency model.
 */
export function createSqliteDatabase(opts: SqliteOptions): Database {
  const open = (readOnly: boolean) => {
    const h = new BetterSqlite3(opts.file);
    h.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives process crashes; the inbound-mail path asks for FULL itself.
    h.pragma('synchronous = NORMAL');
    h.pragma('busy_timeout = 5000');
    h.pragma('foreign_keys = ON');
    h.pragma('cache_size = -65536');
    h.pragma('temp_store = MEMORY');
    if (readOnly) h.pragma('query_only = 1');
    // SQLite's lower() and LIKE fold ASCII only; PostgreSQL and JavaScript fold every script.
    // containsInsensitive (sql.ts) compares through this so "école" finds "ÉCOLE" on both engines.
    h.function(UNICODE_LOWER, { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
    return h;
  };
  const handle = open(false);
  // An in-memory database exists only in its one connection, so it has no separate reader.
  const inMemory = opts.file === ':memory:' || opts.file === '';
  const reader = inMemory ? null : open(true);
  const checkpointer = inMemory ? null : startCheckpointer(opts.file, (msg) => console.error(msg));
  if (checkpointer) handle.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  const db = new Kysely({ dialect: new TesseraSqliteDialect({ writer: handle, reader }) });
  enableWriteBatching(db);
  if (reader) registerDataVersion(db, () => String(reader.pragma('data_version', { simple: true })));
  return {
    db,
    dialect: 'sqlite',
    capabilities: { skipLocked: false, listenNotify: false, concurrentWriters: false, transactionalDdl: true },
    describe: opts.file,
    async backup(toFile) {
      await handle.backup(toFile);
    },
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
