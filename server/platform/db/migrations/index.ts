import type { Kysely, Migration, MigrationProvider } from 'kysely';
import * as m01 from './2026112201_platform.js';
import * as m02 from './2026112202_auth.js';
import * as m03 from './2026112203_contacts.js';
import * as m04 from './2026112204_tickets.js';
import * as m05 from './2026112205_messages.js';
import * as m06 from './2026112206_search.js';
import * as m07 from './2026112207_jobs.js';
import * as m08 from './2026112208_mail.js';
import * as m09 from './2026112209_workspace.js';
import * as m10 from './2026112210_queue_indexes.js';
import * as m11 from './2026112211_mail_outbound.js';
import * as m12 from './2026112212_sla.js';
import * as m13 from './2026112213_automations.js';
import * as m14 from './2026112214_chat_forms.js';
import * as m15 from './2026112215_phone_sms_portal.js';
import * as m16 from './2026112216_integrations.js';
import * as m17 from './2026112217_reports.js';
import * as m18 from './2026120201_report_rollups.js';
import * as m19 from './2026120202_report_rollups_time_tags.js';
import * as m20 from './2026120203_view_count_index.js';
import * as m21 from './2026120204_open_age_index.js';
import * as m22 from './2026120205_dash_active_is_open.js';
import * as m23 from './2026120206_open_age_covering.js';
import * as m24 from './2026120207_daily_stats_clustered.js';
import * as m25 from './2026120401_ticket_imports.js';
import * as m26 from './2026120410_group_name_key.js';
import * as m27 from './2026120420_search_words.js';
import * as m28 from './2026120501_jobs_lane_due.js';

import type { MigrationDialect } from './migration-dialect.js';

export type { MigrationDialect };

type DialectMigration = { up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> };

/** Listed statically so the set is the same under tsx, bundlers and tests. Append only. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '2026112201_platform': m01,
  '2026112202_auth': m02,
  '2026112203_contacts': m03,
  '2026112204_tickets': m04,
  '2026112205_messages': m05,
  '2026112206_search': m06,
  '2026112207_jobs': m07,
  '2026112208_mail': m08,
  '2026112209_workspace': m09,
  '2026112210_queue_indexes': m10,
  '2026112211_mail_outbound': m11,
  '2026112212_sla': m12,
  '2026112213_automations': m13,
  '2026112214_chat_forms': m14,
  '2026112215_phone_sms_portal': m15,
  '2026112216_integrations': m16,
  '2026112217_reports': m17,
  '2026120201_report_rollups': m18,
  '2026120202_report_rollups_time_tags': m19,
  '2026120203_view_count_index': m20,
  '2026120204_open_age_index': m21,
  '2026120205_dash_active_is_open': m22,
  '2026120206_open_age_covering': m23,
  '2026120207_daily_stats_clustered': m24,
  '2026120401_ticket_imports': m25,
  '2026120410_group_name_key': m26,
  '2026120420_search_words': m27,
  '2026120501_jobs_lane_due': m28,
};

/** Kysely's migrations take only `db`; the few DDL differences need the dialect as well. */
export function migrationProvider(dialect: MigrationDialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = { up: (db) => m.up(db, dialect) };
      return out;
    },
  };
}
