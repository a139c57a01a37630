import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * The job runner's lanes (JobDefinition.lane) ask "is anything of these kinds due?" after every
 * commit. On jobs_due (status, run_at) that read walked the whole due backlog of other kinds to
 * answer no: 37k queued inbound mails made each webhook or outbound-mail lane check read them all.
 * Leading with the name, it reads one entry.
 */
export async function up(db: Kysely<any>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.createIndex('jobs_name_due').on('jobs').columns(['name', 'status', 'run_at']).execute();
}
