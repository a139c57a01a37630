import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/database.js';
import { capabilitiesOf } from '../../platform/db/dialect/sql.js';
import { toBool, toIso } from '../../platform/db/rows.js';
import { randomToken } from '../../platform/ids.js';
import type { CsatScale } from '../../../contracts/csat.js';

interface CsatTables {
  csat_settings: {
    id: string;
    enabled: number;
    scale: string;
    change_days: number;
    link_days: number;
    secret: string;
    template_subject: string | null;
    template_html: string | null;
    updated_at: string;
  };
  csat_ratings: {
    ticket_id: string;
    ticket_number: number;
    rating: number;
    scale: string;
    comment: string | null;
    contact_id: string | null;
    created_at: string;
    updated_at: string;
  };
}
const q = (db: AnyDb) => db as Kysely<CsatTables>;

export interface CsatSettings {
  enabled: boolean;
  scale: CsatScale;
  changeDays: number;
  linkDays: number;
  /** Signs survey links; made on first use, never shown. */
  secret: string;
  templateSubject: string | null;
  templateHtml: string | null;
}

export interface CsatRatingRow {
  ticketId: string;
  number: number;
  rating: number;
  scale: CsatScale;
  comment: string | null;
  contactId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The settings row, created with defaults (surveys off until an admin turns them on; a fresh signing secret) the first time. */
export async function readCsatSettings(db: AnyDb, at: string): Promise<CsatSettings> {
  let r = await q(db).selectFrom('csat_settings').selectAll().where('id', '=', 'default').executeTakeFirst();
  if (!r) {
    await q(db)
      .insertInto('csat_settings')
      .values({ id: 'default', enabled: 0, scale: 'good_bad', change_days: 3, link_days: 14, secret: randomToken(32), template_subject: null, template_html: null, updated_at: at })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    r = await q(db).selectFrom('csat_settings').selectAll().where('id', '=', 'default').executeTakeFirstOrThrow();
  }
  return {
    enabled: toBool(r.enabled),
    scale: r.scale as CsatScale,
    changeDays: Number(r.change_days),
    linkDays: Number(r.link_days),
    secret: r.secret,
    templateSubject: r.template_subject,
    templateHtml: r.template_html,
  };
}

export async function writeCsatSettings(db: AnyDb, s: CsatSettings, at: string): Promise<void> {
  await q(db)
    .updateTable('csat_settings')
    .set({ enabled: s.enabled ? 1 : 0, scale: s.scale, change_days: s.changeDays, link_days: s.linkDays, template_subject: s.templateSubject, template_html: s.templateHtml, updated_at: at })
    .where('id', '=', 'default')
    .execute();
}

const toRating = (r: CsatTables['csat_ratings']): CsatRatingRow => ({
  ticketId: r.ticket_id,
  number: Number(r.ticket_number),
  rating: Number(r.rating),
  scale: r.scale as CsatScale,
  comment: r.comment,
  contactId: r.contact_id,
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

export async function findRating(db: AnyDb, ticketId: string, opts: { lock?: boolean } = {}): Promise<CsatRatingRow | undefined> {
  let query = q(db).selectFrom('csat_ratings').selectAll().where('ticket_id', '=', ticketId);
  if (opts.lock && capabilitiesOf(db).rowLocks) query = query.forUpdate();
  const r = await query.executeTakeFirst();
  return r ? toRating(r) : undefined;
}

export async function insertRating(db: AnyDb, r: CsatRatingRow): Promise<void> {
  await q(db)
    .insertInto('csat_ratings')
    .values({ ticket_id: r.ticketId, ticket_number: r.number, rating: r.rating, scale: r.scale, comment: r.comment, contact_id: r.contactId, created_at: r.createdAt, updated_at: r.updatedAt })
    .execute();
}

export async function updateRating(db: AnyDb, r: CsatRatingRow): Promise<void> {
  await q(db).updateTable('csat_ratings').set({ rating: r.rating, scale: r.scale, comment: r.comment, updated_at: r.updatedAt }).where('ticket_id', '=', r.ticketId).execute();
}
