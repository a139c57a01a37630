import type { z } from 'zod';
import type { updateCsatSettingsRequest } from '../../../contracts/csat.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, invalidField } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import { findInboundByTicketMessage, outboundTargetOf, queueOutboundMail } from '../channels/index.js';
import { listMessages } from '../messages/index.js';
import { getTicket, requireTicketById } from '../tickets/index.js';
import { ratingLabel, scaleOptions, signSurveyToken, verifySurveyToken } from './csat-links.js';
import { checkTemplate, renderSurvey } from './csat-mail.js';
import { findRating, insertRating, readCsatSettings, updateRating, writeCsatSettings, type CsatRatingRow, type CsatSettings } from './csat.repository.js';

export interface CsatRuntime {
  /** Where survey links point (the server's public URL). */
  publicUrl: string;
}

/** A rating as agents see it, with until when the customer may still change it. */
export function presentRating(r: CsatRatingRow, changeDays: number) {
  return { ...r, label: ratingLabel(r.scale, r.rating), changeableUntil: new Date(Date.parse(r.createdAt) + changeDays * 86400_000).toISOString() };
}

/**
 * The survey for a resolved ticket (a job after the change committed): one per ticket, only while
 * it is still resolved, never once it was rated, never for spam or merged tickets.
 */
export async function sendSurvey(ctx: Ctx, rt: CsatRuntime, ticketId: string): Promise<void> {
  const sys: Ctx = { ...ctx, actor: systemActor('csat') };
  const settings = await readCsatSettings(sys.db, sys.now.toISOString());
  if (!settings.enabled) return;
  const ticket = await requireTicketById(sys, ticketId).catch(() => null);
  if (!ticket || ticket.status !== 'resolved' || ticket.spam || ticket.mergedIntoId) return;
  if (await findRating(sys.db, ticket.id)) return;
  if (await automaticSender(sys, ticket.number)) return;
  const target = await outboundTargetOf(sys, ticket);
  if (!target?.requester) return;
  const expiresAt = new Date(sys.now.getTime() + settings.linkDays * 86400_000);
  const token = signSurveyToken(settings.secret, ticket.id, expiresAt, settings.scale);
  const ratings = scaleOptions(settings.scale).map((o) => ({ ...o, url: `${rt.publicUrl}/csat/${token}?rating=${o.value}` }));
  const mail = await renderSurvey(
    { subject: settings.templateSubject, html: settings.templateHtml },
    {
      ticket: { number: ticket.number, subject: ticket.subject },
      customer: { name: target.requester.name },
      mailbox: { displayName: target.mailbox.displayName, brand: { name: target.mailbox.brand.name, colour: target.mailbox.brand.colour } },
      ratings,
      expiresAt: expiresAt.toISOString(),
      scale: settings.scale,
    },
  );
  // Kind status_resolved: the survey is mail about the resolution; the dedupe key keeps it to one per ticket.
  await queueOutboundMail(sys, { ticket, target, kind: 'status_resolved', dedupeKey: `csat:${ticket.id}`, ticketMessageId: null, automatic: true, to: [target.requester], cc: [], ...mail, attachments: [] });
}

/**
 * A survey link for a ticket as the mail would carry it, valid from ctx.now: for demo data and
 * scripts that rate through the same path a customer's click takes.
 */
export async function surveyLinkToken(ctx: Ctx, ticketId: string): Promise<string> {
  const settings = await readCsatSettings(ctx.db, ctx.now.toISOString());
  return signSurveyToken(settings.secret, ticketId, new Date(ctx.now.getTime() + settings.linkDays * 86400_000), settings.scale);
}

/** Inbound kinds that are machines talking (RFC 3834): they get no survey, as they get no notices. */
const AUTOMATIC_KINDS = new Set(['out_of_office', 'auto_reply', 'bounce', 'delivery_report', 'bulk']);

async function automaticSender(ctx: Ctx, number: number): Promise<boolean> {
  const customer = (await listMessages(ctx, number)).filter((m) => m.kind === 'customer');
  for (const m of new Set([customer[0], customer[customer.length - 1]])) {
    if (!m) continue;
    const inbound = await findInboundByTicketMessage(ctx.db, m.id);
    if (inbound && (inbound.suppressAutoReply || AUTOMATIC_KINDS.has(inbound.kind ?? ''))) return true;
  }
  return false;
}

export interface RatedResult {
  number: number;
  subject: string;
  scale: CsatSettings['scale'];
  rating: number;
  comment: string | null;
  changeableUntil: string;
}

/** Checks a survey link; the error tells a forged link from an expired one only by message. */
async function openLink(ctx: Ctx, token: string) {
  const settings = await readCsatSettings(ctx.db, ctx.now.toISOString());
  const check = verifySurveyToken(settings.secret, token, ctx.now);
  if (!check.ok) throw new AppError('csat_link_invalid', check.reason === 'expired' ? 'This survey link has expired.' : 'This survey link is not valid.');
  const ticket = await requireTicketById(ctx, check.ticketId).catch(() => null);
  if (!ticket) throw new AppError('csat_link_invalid', 'This survey link is not valid.');
  return { settings, ticket, scale: check.scale };
}

/** What the rating page shows before anything is stored (a comment form posted without a rating). */
export async function surveyState(ctx: Ctx, token: string): Promise<RatedResult | { number: number; subject: string; scale: CsatSettings['scale']; rating: null; comment: null }> {
  const { settings, ticket, scale } = await openLink(ctx, token);
  const r = await findRating(ctx.db, ticket.id);
  if (!r) return { number: ticket.number, subject: ticket.subject, scale, rating: null, comment: null };
  return { number: ticket.number, subject: ticket.subject, scale: r.scale, rating: r.rating, comment: r.comment, changeableUntil: presentRating(r, settings.changeDays).changeableUntil };
}

/**
 * Stores the customer's rating from a signed link (one per ticket). The first one is kept as
 * given; it may be changed (and a comment added) until `changeDays` after it, then it is final.
 * A comment left out keeps the one given before.
 */
export async function rateFromLink(ctx: Ctx, token: string, input: { rating: number; comment?: string | undefined }): Promise<RatedResult> {
  const { settings, ticket, scale } = await openLink(ctx, token);
  if (!scaleOptions(scale).some((o) => o.value === input.rating)) throw invalidField('rating', `not a rating on this survey's scale (${scaleOptions(scale).map((o) => o.value).join(', ')})`);
  const comment = input.comment === undefined ? undefined : input.comment.trim() || null;
  return inTransaction({ ...ctx, actor: systemActor('csat') }, async (tx) => {
    await getTicket(tx, ticket.number, { lock: true });
    const before = await findRating(tx.db, ticket.id, { lock: true });
    const at = tx.now.toISOString();
    let row: CsatRatingRow;
    if (!before) {
      row = { ticketId: ticket.id, number: ticket.number, rating: input.rating, scale, comment: comment ?? null, contactId: ticket.requesterId, createdAt: at, updatedAt: at };
      await insertRating(tx.db, row);
    } else {
      const presented = presentRating(before, settings.changeDays);
      if (Date.parse(presented.changeableUntil) < tx.now.getTime()) throw new AppError('csat_rating_locked', 'Your rating was recorded and can no longer be changed.');
      row = { ...before, rating: input.rating, scale, comment: comment === undefined ? before.comment : comment, updatedAt: at };
      if (row.rating === before.rating && row.comment === before.comment) return result(ticket.subject, row, settings.changeDays);
      await updateRating(tx.db, row);
    }
    await emit(tx, 'csat.rated', { ticketId: ticket.id, number: ticket.number, rating: row.rating, scale: row.scale, comment: row.comment, contactId: row.contactId });
    return result(ticket.subject, row, settings.changeDays);
  });
}

const result = (subject: string, r: CsatRatingRow, changeDays: number): RatedResult => ({
  number: r.number,
  subject,
  scale: r.scale,
  rating: r.rating,
  comment: r.comment,
  changeableUntil: presentRating(r, changeDays).changeableUntil,
});

/** The ticket's rating for staff who can see the ticket. */
export async function ticketCsat(ctx: Ctx, number: number) {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  const r = await findRating(ctx.db, ticket.id);
  if (!r) return { rating: null };
  const settings = await readCsatSettings(ctx.db, ctx.now.toISOString());
  return { rating: presentRating(r, settings.changeDays) };
}

const publicSettings = ({ secret: _s, ...s }: CsatSettings) => s;

export async function getCsatSettings(ctx: Ctx) {
  requireAdmin(ctx.actor);
  return publicSettings(await readCsatSettings(ctx.db, ctx.now.toISOString()));
}

export async function updateCsatSettings(ctx: Ctx, input: z.output<typeof updateCsatSettingsRequest>) {
  requireAdmin(ctx.actor);
  if (input.templateSubject) checkTemplate('templateSubject', input.templateSubject);
  if (input.templateHtml) checkTemplate('templateHtml', input.templateHtml);
  return inTransaction(ctx, async (tx) => {
    const before = await readCsatSettings(tx.db, tx.now.toISOString());
    const next: CsatSettings = { ...before };
    for (const [k, v] of Object.entries(input)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
    await writeCsatSettings(tx.db, next, tx.now.toISOString());
    await recordAudit(tx, 'csat.settings_updated', null, { changed: Object.keys(input) });
    return publicSettings(next);
  });
}
