import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Group names become unique whatever their case, as organization names are: the filter's
 * `group:billing` matches case-insensitively and the last match wins, so "Billing" beside
 * "billing" makes one of them unreachable. `name_key` is the lower-cased name under a unique
 * index. Installations may already hold names that differ only in case, and the index must not
 * fail on them: the oldest group of each such set keeps the key, the others get NULL (NULLs
 * never collide) until they are renamed. The service refuses every new case-only duplicate,
 * those too. Keys are folded here in JavaScript, as the service folds them, because SQLite's
 * lower() folds ASCII only and the two must agree.
 */
export async function up(db: Kysely<any>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('groups').addColumn('name_key', 'text').execute();
  const groups = await db.selectFrom('groups').select(['id', 'name']).orderBy('created_at').orderBy('id').execute();
  const keyed = new Set<string>();
  for (const g of groups as { id: string; name: string }[]) {
    const key = g.name.toLowerCase();
    if (keyed.has(key)) continue;
    keyed.add(key);
    await db.updateTable('groups').set({ name_key: key }).where('id', '=', g.id).execute();
  }
  // Not "groups_name_key": PostgreSQL already named the unique constraint on `name` so.
  await db.schema.createIndex('groups_name_key_unique').on('groups').column('name_key').unique().execute();
}
