import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableWrite, sqliteSynchronousLevel } from '../../server/platform/db/dialect/durable.js';
import { createSqliteDatabase } from '../../server/platform/db/dialect/sqlite.js';
import { walSyncFor } from '../../server/platform/db/dialect/wal-sync.js';
import type { Database } from '../../server/platform/db/dialect/types.js';

// SQLite files only: PostgreSQL commits durably itself, an in-memory database has no WAL.
describe('durable writes on a SQLite file sync the WAL off the event loop', () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-wal-'));
    database = createSqliteDatabase({ file: join(dir, 'w.db') });
    await sql`CREATE TABLE acked (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const rows = async () => (await sql<{ body: string }>`SELECT body FROM acked ORDER BY id`.execute(database.db)).rows.map((r) => r.body);

  it('resolves only after a WAL sync that began after its commit, with the writer left at NORMAL', async () => {
    const wal = walSyncFor(database.db)!;
    expect(wal).toBeDefined();
    const before = wal.completed;
    let level: number | null = null;
    await durableWrite(database.db, async (trx) => {
      await sql`INSERT INTO acked (body) VALUES ('one')`.execute(trx);
      level = await sqliteSynchronousLevel(trx);
    });
    expect(wal.completed).toBeGreaterThan(before);
    expect(level).toBe(1);
    expect(await rows()).toEqual(['one']);
  });

  it('lets a burst share commits and syncs, and a failing unit fails alone', async () => {
    const wal = walSyncFor(database.db)!;
    const before = wal.completed;
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        durableWrite(database.db, async (trx) => {
          // 'one' is taken: this unit's insert breaks the unique constraint.
          await sql`INSERT INTO acked (body) VALUES (${i === 7 ? 'one' : `burst ${i}`})`.execute(trx);
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[7]!.status).toBe('rejected');
    expect((await rows()).length).toBe(40);
    const syncs = wal.completed - before;
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(40);
  });
});
