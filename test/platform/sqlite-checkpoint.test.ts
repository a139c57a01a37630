import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../server/platform/db/dialect/sqlite-checkpointer.js';
import { createSqliteDatabase } from '../../server/platform/db/dialect/sqlite.js';

// SQLite only: the checkpointer is how a SQLite file gets its WAL copied back.
describe('WAL checkpoints off the event loop (SQLite)', () => {
  let dir: string;
  const file = () => join(dir, 'cp.db');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cp-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies committed pages into the database file without the writer checkpointing, and nothing is lost', async () => {
    const database = createSqliteDatabase({ file: file() });
    const db = database.db;
    await sql`CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`.execute(db);
    const before = statSync(file()).size;
    const body = 'x'.repeat(4000);
    for (let t = 0; t < 20; t++) {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < 50; i++) await sql`INSERT INTO blobs (body) VALUES (${body})`.execute(trx);
      });
    }
    // ~4 MB of pages: far below the writer's own threshold, so only the checkpointer moves them.
    // The database's own checkpointer runs too; only one checkpoint runs at a time, so the one
    // asked for here may find it busy: either of them moves the pages, soon.
    const other = startCheckpointer(file(), () => undefined, 60_000);
    await other.now();
    await expect.poll(() => statSync(file()).size).toBeGreaterThan(before + 3_000_000);
    await other.stop();
    await database.close();

    const reopened = createSqliteDatabase({ file: file() });
    const n = await sql<{ n: number }>`SELECT count(*) AS n FROM blobs`.execute(reopened.db);
    expect(Number(n.rows[0]!.n)).toBe(1000);
    await reopened.close();
  });
});
