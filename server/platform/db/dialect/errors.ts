/**
 * A write refused by a unique index or primary key. On SQLite writes are serialised, so a
 * service's look-before-insert check settles duplicates; on PostgreSQL two transactions can pass
 * that check at the same moment, and the index then refuses the second one.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
