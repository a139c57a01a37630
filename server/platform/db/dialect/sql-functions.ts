/**
 * Names of the SQL functions the SQLite connections register (sqlite.ts) for helpers in sql.ts,
 * kept apart so sql.ts need not import the driver.
 */

/** `unicode_lower(text)`: JavaScript's toLowerCase, which folds every script, not ASCII only. */
export const UNICODE_LOWER = 'unicode_lower';
