/** The engine a migration runs on; DDL differs in a few types (timestamps, JSON, full text). */
export type MigrationDialect = 'sqlite' | 'postgres';
