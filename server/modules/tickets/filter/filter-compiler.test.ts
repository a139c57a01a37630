import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateToLatest, type AnyDb, type Database } from '../../../platform/db/database.js';
import { dropPostgresDatabase } from '../../../platform/db/dialect/postgres.js';
import { createSqliteDatabase } from '../../../platform/db/dialect/sqlite.js';
import { compileFilter } from './filter-compiler.js';
import { matchesFilter } from './filter-evaluator.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter } from './filter-resolve.js';
import { CASES, fixtureResolvers, NOW, TICKETS } from './filter.fixtures.js';

const PG_URL = process.env.FILTER_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${PG_URL}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const pgUp = await postgresReachable();
if (!pgUp && process.env.REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required but unreachable at ${PG_URL}`);

interface DialectCase {
  name: 'sqlite' | 'postgres';
  skip: boolean;
  open(): Promise<{ database: Database; cleanup(): Promise<void> }>;
}

const DIALECTS: DialectCase[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const database = createSqliteDatabase({ file: ':memory:' });
      return { database, cleanup: () => database.close() };
    },
  },
  {
    name: 'postgres',
    skip: !pgUp,
    async open() {
      const url = `${PG_URL}/tessera_filter_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const database = await createDatabase({ databaseUrl: url, pgPoolSize: 2 });
      return {
        database,
        async cleanup() {
          await database.close();
          await dropPostgresDatabase(url);
        },
      };
    },
  },
];

async function seed(db: AnyDb, dialect: 'sqlite' | 'postgres'): Promise<void> {
  for (const t of TICKETS) {
    await db
      .insertInto('tickets')
      .values({
        id: t.id, number: t.number, subject: t.subject, status: t.status, is_open: ['open', 'in_progress', 'waiting'].includes(t.status) ? 1 : 0, priority: t.priority, type: t.type, channel: t.channel,
        requester_id: t.requesterId, organization_id: t.organizationId, assignee_id: t.assigneeId, group_id: t.groupId,
        spam: t.spam ? 1 : 0, merged_into_id: t.mergedIntoId, custom_fields: JSON.stringify(t.customFields),
        first_response_at: t.firstResponseAt, resolved_at: t.resolvedAt, closed_at: t.closedAt,
        reopen_count: t.reopenCount, message_count: t.messageCount, created_at: t.createdAt, updated_at: t.updatedAt,
      })
      .execute();
    if (t.tags.length) await db.insertInto('ticket_tags').values(t.tags.map((tag) => ({ ticket_id: t.id, tag }))).execute();
    for (const userId of t.starredBy) await db.insertInto('ticket_stars').values({ user_id: userId, ticket_id: t.id, created_at: t.createdAt }).execute();
    const messageId = `${t.id}-m1`;
    await db
      .insertInto('messages')
      .values({ id: messageId, ticket_id: t.id, kind: 'reply', author_type: 'contact', body_html: '', body_text: '', mentions: '[]', created_at: t.createdAt })
      .execute();
    if (t.hasAttachments) {
      await db
        .insertInto('attachments')
        .values({ id: `${t.id}-a1`, message_id: messageId, filename: 'a.pdf', content_type: 'application/pdf', size: 1, sha256: 'x', created_at: t.createdAt })
        .execute();
    }
    for (const [i, body] of t.docs.entries()) {
      const docKey = `${t.id}:${i}`;
      if (dialect === 'postgres') {
        await sql`INSERT INTO search_docs(doc_key, ticket_id, tsv) VALUES (${docKey}, ${t.id}, to_tsvector('simple', ${body}))`.execute(db);
      } else {
        const row = await db.insertInto('search_docs').values({ doc_key: docKey, ticket_id: t.id }).returning('id').executeTakeFirstOrThrow();
        await sql`INSERT INTO search_fts(rowid, body) VALUES (${row.id}, ${body})`.execute(db);
      }
    }
  }
}

for (const dialect of DIALECTS) {
  describe.skipIf(dialect.skip)(`compileFilter on ${dialect.name}`, () => {
    let db: AnyDb;
    let cleanup: () => Promise<void> = async () => {};
    const resolvers = fixtureResolvers();

    beforeAll(async () => {
      const opened = await dialect.open();
      cleanup = opened.cleanup;
      db = opened.database.db;
      await migrateToLatest(opened.database);
      await seed(db, dialect.name);
    }, 60_000);

    afterAll(async () => cleanup(), 60_000);

    const sqlIds = async (input: string, now = NOW, r = resolvers) => {
      const f = await resolveFilter(parseFilter(input), r);
      const rows = await db.selectFrom('tickets').select('id').where(compileFilter(db, f, now)).orderBy('id').execute();
      return rows.map((x) => x.id as string);
    };

    it.each(CASES)('%s', async (input, expected) => {
      const f = await resolveFilter(parseFilter(input), resolvers);
      const inMemory = TICKETS.filter((t) => matchesFilter(f, t, NOW)).map((t) => t.id);
      const fromSql = await sqlIds(input);
      expect(fromSql).toEqual(inMemory);
      expect(fromSql).toEqual(expected);
    });

    // Rare tags take the other SQL access path (IN instead of EXISTS): the same tickets either way.
    it.each(CASES.filter(([input]) => input.includes('tag:')))('%s (tags on few tickets)', async (input, expected) => {
      expect(await sqlIds(input, NOW, fixtureResolvers({ tagsAreRare: async () => true }))).toEqual(expected);
    });

    it('matches nothing for group:mine when the actor has no groups', async () => {
      expect(await sqlIds('group:mine', NOW, fixtureResolvers({ actorGroupIds: [] }))).toEqual([]);
    });

    it('evaluates relative times against the given now', async () => {
      expect(await sqlIds('created<24h', new Date(NOW.getTime() + 23 * 3_600_000))).toEqual([]);
    });

    // Silver and audit were options when t2 was saved with them; an admin has since removed them.
    it.each<[string, string[]]>([
      ['cf.plan:SILVER', ['t2']],
      ['cf.plan:silver,Gold', ['t1', 't2']],
      ['-cf.plan:silver', ['t1', 't3', 't6', 't7']],
      ['cf.features:Audit', ['t2']],
      ['cf.features:API,audit', ['t1', 't2']],
      ['-cf.features:AUDIT', ['t1', 't3', 't6', 't7']],
      ['cf.plan:platinum', []],
    ])('%s finds what tickets hold though the option was removed', async (input, expected) => {
      const removed = fixtureResolvers({
        customFields: [
          { key: 'plan', type: 'dropdown', options: ['Gold', 'Bronze'] },
          { key: 'features', type: 'multi_select', options: ['sso', 'api'] },
        ],
      });
      const f = await resolveFilter(parseFilter(input), removed);
      const fromSql = await sqlIds(input, NOW, removed);
      expect(fromSql).toEqual(TICKETS.filter((t) => matchesFilter(f, t, NOW)).map((t) => t.id));
      expect(fromSql).toEqual(expected);
    });

    it('binds every user value as a parameter', async () => {
      const evil = `x'; DROP TABLE tickets; --`;
      const f = await resolveFilter(parseFilter(`subject:"${evil}" "${evil}" tag:${'o\'hara'} cf.order_id:"${evil}"`), resolvers);
      const compiled = db.selectFrom('tickets').select('id').where(compileFilter(db, f, NOW)).compile();
      expect(compiled.sql.toLowerCase()).not.toContain('drop');
      expect(compiled.sql).not.toContain("o'hara");
      // A text custom field compares folded: its value is bound in lower case.
      expect(compiled.parameters).toEqual(expect.arrayContaining(["o'hara", evil.toLowerCase()]));
      expect(await db.selectFrom('tickets').select('id').where(compileFilter(db, f, NOW)).execute()).toEqual([]);
    });
  });
}
