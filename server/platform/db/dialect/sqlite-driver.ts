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
import { SAVEPOINT_STEP, type SavepointStep } from './savepoint.js';

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

/**
 * Prepared statements by SQL text, per connection: preparing (parsing and planning) costs about
 * as much as running a small statement. Kysely writes `in (?, ?, ...)` lists with one marker per
 * value, so the texts are many but bounded; past the limit the cache starts afresh.
 */
const STATEMENT_CACHE_SIZE = 2000;

interface Cached {
  stmt: BetterSqlite3.Statement;
  /** For a statement that returns rows: builds one row object from the raw array of its values. */
  toRow: ((values: unknown[]) => unknown) | null;
}
const statementCaches = new WeakMap<BetterSqlite3.Database, Map<string, Cached>>();

/*
 * better-sqlite3 builds each row object one property at a time, which for a wide row (a
 * ticket has thirty columns) takes longer than SQLite takes to find it: a page of tickets
 * spent two thirds of its query time there. The statement returns raw arrays instead, and
 * one object literal per statement, compiled from its column names (quoted by
 * JSON.stringify, so no name can be code), makes every row in one allocation of a fixed
 * shape. A column named __proto__ is written as a computed key, which an object literal
 * makes an own property (written plainly, it would set the row's prototype).
 */
function rowFactory(stmt: BetterSqlite3.Statement): (values: unknown[]) => unknown {
  const fields = stmt.columns().map((c, i) => `${c.name === '__proto__' ? '["__proto__"]' : JSON.stringify(c.name)}: v[${i}]`);
  return new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => unknown;
}

function prepare(db: BetterSqlite3.Database, text: string): Cached {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let cached = cache.get(text);
  if (!cached) {
    const stmt = db.prepare(text);
    const toRow = stmt.reader ? rowFactory(stmt) : null;
    if (toRow) stmt.raw(true);
    cached = { stmt, toRow };
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
    cache.set(text, cached);
  }
  return cached;
}

function run(db: BetterSqlite3.Database, query: CompiledQuery): QueryResult<unknown> {
  const { stmt, toRow } = prepare(db, query.sql);
  const params = query.parameters as unknown[];
  if (toRow) return { rows: (stmt.all(params) as unknown[][]).map(toRow) };
  const { changes, lastInsertRowid } = stmt.run(params);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/**
 * Marks a write that may wait for the commit of the transaction it is made in. FTS5 flushes
 * its pending terms to disk at every savepoint boundary (each unit of a shared commit, each
 * mail, each subscriber opens one), which costs more than the insert itself once the index is
 * large; written just before COMMIT, a batch's rows make one flush. Outside a transaction the
 * statement runs at once. Its results are not returned, and later reads of the same
 * transaction do not see it.
 */
export const AT_COMMIT = Symbol('tessera:at-commit');
/** A statement with the tags this driver reads: deferred to the commit, or a savepoint step. */
export type TaggedQuery = CompiledQuery & { [AT_COMMIT]?: true; [SAVEPOINT_STEP]?: SavepointStep };

/**
 * The deferred writes of the open transaction, in order, and where each open savepoint began
 * among them: rolling back to a savepoint drops what was deferred after it.
 */
class Deferred {
  queries: CompiledQuery[] = [];
  private savepoints: { name: string; mark: number }[] = [];

  track(step: SavepointStep): void {
    const { verb, name } = step;
    if (verb === 'save') {
      this.savepoints.push({ name, mark: this.queries.length });
      return;
    }
    let at = this.savepoints.length - 1;
    while (at >= 0 && this.savepoints[at]!.name !== name) at--;
    if (at < 0) return;
    if (verb === 'release') {
      this.savepoints.length = at;
    } else {
      // ROLLBACK TO keeps the savepoint open; the ones inside it are gone.
      this.queries.length = this.savepoints[at]!.mark;
      this.savepoints.length = at + 1;
    }
  }

  clear(): void {
    this.queries = [];
    this.savepoints = [];
  }
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

  async executeQuery<R>(query: TaggedQuery): Promise<QueryResult<R>> {
    if (!this.inTransaction && this.driver.reader && isPlainRead(query)) return run(this.driver.reader, query) as QueryResult<R>;
    if (this.inTransaction) {
      if (query[AT_COMMIT]) {
        this.driver.deferred.queries.push(query);
        return { rows: [] };
      }
      const step = query[SAVEPOINT_STEP];
      if (step) this.driver.deferred.track(step);
    }
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
  /** One writer, so one open transaction: its deferred writes. */
  readonly deferred = new Deferred();
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
    this.deferred.clear();
    conn.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as RoutedConnection;
    // A deferred write that fails leaves the transaction open for the rollback that follows.
    const deferred = this.deferred.queries;
    this.deferred.clear();
    for (const query of deferred) run(this.writer, query);
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
      this.deferred.clear();
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
