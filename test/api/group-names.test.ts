import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { up as addGroupNameKey } from '../../server/platform/db/migrations/2026120410_group_name_key.js';
import { describeEachDialect, openTestDatabase } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

type GroupsDb = Kysely<{ groups: { id: string; name: string; name_key: string | null; description: string; created_at: string; updated_at: string } }>;

/** Group names are unique in any case, as the filter language reads them (group:billing). */
describeEachDialect('group names', (dialect) => {
  let t: TestApp;
  let billing: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    billing = (await t.admin.post('/api/v1/groups', { name: 'Billing' })).json().id;
  });
  afterAll(() => t.close());

  const names = async () => ((await t.admin.get('/api/v1/groups')).json().items as { name: string }[]).map((g) => g.name);

  it('refuses a group whose name differs from another only in case (409), so group:<name> keeps finding it', async () => {
    const tk = await createTicket(t.admin, { subject: 'Invoice', groupId: billing });
    for (const name of ['billing', 'BILLING', ' Billing ']) {
      const res = await t.admin.post('/api/v1/groups', { name });
      expect(res.statusCode, name).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'conflict', details: { field: 'name', groupId: billing } });
    }
    expect(await names()).toEqual(['Billing']);
    const found = (await t.admin.get(`/api/v1/tickets?q=${encodeURIComponent('group:Billing')}`)).json().items as { number: number }[];
    expect(found.map((x) => x.number)).toEqual([tk.number]);
  });

  it('refuses a rename onto another group in any case, and allows a group to change its own case', async () => {
    const sales = (await t.admin.post('/api/v1/groups', { name: 'Sales' })).json().id as string;
    const rename = await t.admin.patch(`/api/v1/groups/${sales}`, { name: 'bILLING' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().error.details).toMatchObject({ field: 'name', groupId: billing });
    expect((await t.admin.patch(`/api/v1/groups/${sales}`, { name: 'SALES', description: 'Loud' })).json()).toMatchObject({ name: 'SALES', description: 'Loud' });
    // The freed name can be taken again, in any case.
    expect((await t.admin.post('/api/v1/groups', { name: 'sales' })).statusCode).toBe(409);
    expect((await t.admin.patch(`/api/v1/groups/${sales}`, { name: 'Sales Team' })).statusCode).toBe(200);
    expect((await t.admin.post('/api/v1/groups', { name: 'sales' })).statusCode).toBe(201);
    expect((await names()).sort()).toEqual(['Billing', 'Sales Team', 'sales'].sort());
  });

  it('a case-only duplicate from before the rule stays editable, and cannot be joined by another', async () => {
    // As the migration leaves such a group: no name key.
    const legacy = '01900000-0000-7000-8000-00000000b111';
    const at = new Date().toISOString();
    await (t.deps.database.db as GroupsDb).insertInto('groups').values({ id: legacy, name: 'billing', name_key: null, description: '', created_at: at, updated_at: at }).execute();
    expect((await t.admin.patch(`/api/v1/groups/${legacy}`, { description: 'From before' })).statusCode).toBe(200);
    expect((await t.admin.patch(`/api/v1/groups/${legacy}`, { name: 'BILLING' })).statusCode).toBe(409);
    expect((await t.admin.post('/api/v1/groups', { name: 'BiLLing' })).statusCode).toBe(409);
    expect((await t.admin.patch(`/api/v1/groups/${legacy}`, { name: 'Billing (old)' })).json()).toMatchObject({ name: 'Billing (old)', description: 'From before' });
    expect((await t.admin.post('/api/v1/groups', { name: 'billing (OLD)' })).statusCode).toBe(409);
  });

  it('the migration keys existing groups without failing on case-only duplicates: the oldest keeps the key', async () => {
    const { database, dispose } = await openTestDatabase(dialect);
    try {
      const db = database.db as GroupsDb;
      // Back to the schema before the migration, holding the duplicates it must survive.
      await db.schema.dropIndex('groups_name_key_unique').execute();
      await db.schema.alterTable('groups').dropColumn('name_key').execute();
      const row = (id: string, name: string, at: string) => ({ id, name, description: '', created_at: at, updated_at: at });
      await db
        .insertInto('groups')
        .values([
          row('g2', 'billing', '2026-01-02T00:00:00.000Z'),
          row('g1', 'Billing', '2026-01-01T00:00:00.000Z'),
          row('g3', 'BILLING', '2026-01-03T00:00:00.000Z'),
          row('g4', 'Ärger', '2026-01-04T00:00:00.000Z'),
        ])
        .execute();
      await addGroupNameKey(db, dialect);
      const keys = await db.selectFrom('groups').select(['id', 'name_key']).orderBy('id').execute();
      expect(keys).toEqual([
        { id: 'g1', name_key: 'billing' },
        { id: 'g2', name_key: null },
        { id: 'g3', name_key: null },
        { id: 'g4', name_key: 'ärger' },
      ]);
      // From now on the index refuses a second holder of a key.
      await expect(db.insertInto('groups').values({ ...row('g5', 'BiLLing', '2026-01-05T00:00:00.000Z'), name_key: 'billing' }).execute()).rejects.toThrow();
    } finally {
      await dispose();
    }
  });
});
