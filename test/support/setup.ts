import pg from 'pg';

// Decide once per worker whether PostgreSQL suites run (see describeEachDialect).
const url = `${process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432'}/postgres`;
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
try {
  await client.connect();
  await client.end();
  (globalThis as { __pgUp?: boolean }).__pgUp = true;
} catch {
  (globalThis as { __pgUp?: boolean }).__pgUp = false;
  if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL is not reachable at ${url}`);
}
