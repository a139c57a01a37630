import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/** A FIFO lock: one writer at a time, in arrival order. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

function run(db: BetterSqlite3.Database, query: CompiledQuery): QueryResult<unknown> {
  const stmt = db.prepare(query.sql);
  if (stmt.reader) return { rows: stmt.all(query.parameters as unknown[]) };
  const { changes, lastInsertRowid } = stmt.run(query.parameters as unknown[]);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

const isPlainRead = (q: CompiledQuery): boolean => SelectQueryNode.is(q.query) || /^\s*select\b/i.test(q.sql);

/**
 * One writer connection and one reader connection over the same WAL database. Reads outside a
 * transaction go to the reader and never wait behind a write transaction (WAL readers see the
 * last committed state); everything else is serialised on the writer, as SQLite requires.
 * Without a reader (an in-memory database) everything uses the writer.
 */
class RoutedConnection implements DatabaseConnection {
  inTransaction = false;
  private releaseWriter: (() => void) | null = null;

  constructor(private readonly driver: TesseraSqliteDriver) {}

  async holdWriter(): Promise<void> {
    if (!this.releaseWriter) this.releaseWriter = await this.driver.writerLock.lock();
  }

  letGoOfWriter(): void {
    this.releaseWriter?.();
    this.releaseWriter = null;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.inTransaction && this.driver.reader && isPlainRead(query)) return run(this.driver.reader, query) as QueryResult<R>;
    if (this.releaseWriter) return run(this.driver.writer, query) as QueryResult<R>;
    await this.holdWriter();
    try {
      return run(this.driver.writer, query) as QueryResult<R>;
    } finally {
      this.letGoOfWriter();
    }
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on SQLite here; page with keysets instead');
  }
}

class TesseraSqliteDriver implements Driver {
  readonly writerLock = new Mutex();
  constructor(
    readonly writer: BetterSqlite3.Database,
    readonly reader: BetterSqlite3.Database | null,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as RoutedConnection;
    await conn.holdWriter();
    // IMMEDIATE takes the write lock now rather than failing to upgrade a read lock later.
    run(this.writer, CompiledQuery.raw('begin immediate'));
    conn.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as RoutedConnection;
    try {
      run(this.writer, CompiledQuery.raw('commit'));
    } finally {
      conn.inTransaction = false;
      conn.letGoOfWriter();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as RoutedConnection;
    try {
      if (this.writer.inTransaction) run(this.writer, CompiledQuery.raw('rollback'));
    } finally {
      conn.inTransaction = false;
      conn.letGoOfWriter();
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const conn = connection as RoutedConnection;
    if (!conn.inTransaction) conn.letGoOfWriter();
  }

  async destroy(): Promise<void> {
    this.reader?.close();
    this.writer.close();
  }
}

export class TesseraSqliteDialect implements Dialect {
  constructor(private readonly opts: { writer: BetterSqlite3.Database; reader: BetterSqlite3.Database | null }) {}
  createDriver(): Driver {
    return new TesseraSqliteDriver(this.opts.writer, this.opts.reader);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
