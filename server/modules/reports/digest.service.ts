import type { z } from 'zod';
import type { DigestSettings, ReportResponse, updateDigestRequest } from '../../../contracts/reports.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { invalidField } from '../../platform/errors.js';
import { getSettings, findUsersByIds, requireAdmin, requireSupervisor } from '../auth/index.js';
import { readDigestSettings, writeDigestSettings } from './digest.repository.js';
import { runReport } from './reports.service.js';
import { addDays, localDateOf, offsetMinutes } from './time-buckets.js';

export async function getDigestSettings(ctx: Ctx): Promise<DigestSettings> {
  requireSupervisor(ctx.actor);
  return readDigestSettings(ctx.db);
}

export async function updateDigestSettings(ctx: Ctx, input: z.output<typeof updateDigestRequest>): Promise<DigestSettings> {
  requireAdmin(ctx.actor);
  if (input.recipientIds) {
    const users = await findUsersByIds(ctx.db, input.recipientIds);
    const bad = input.recipientIds.findIndex((id) => !users.some((u) => u.id === id && u.active && (u.role === 'admin' || u.role === 'supervisor')));
    if (bad >= 0) throw invalidField(`recipientIds.${bad}`, 'not an active supervisor or administrator');
  }
  return inTransaction(ctx, async (tx) => {
    const before = await readDigestSettings(tx.db);
    const next = { ...before, ...input };
    await writeDigestSettings(tx.db, next, tx.now.toISOString());
    await recordAudit(tx, 'settings.updated', { type: 'settings', id: 'digest' }, { before, after: next });
    return next;
  });
}

export interface DigestMail {
  to: { name: string; address: string }[];
  subject: string;
  text: string;
  html: string;
  /** The local date it is sent for (marks it sent). */
  sentFor: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The digest due now, or null: daily for yesterday, weekly (on its weekday) for the last 7
 * days, once the account's local hour has come, and once per local day.
 */
export async function dueDigest(ctx: Ctx): Promise<DigestMail | null> {
  const s = await readDigestSettings(ctx.db);
  if (!s.enabled || s.recipientIds.length === 0) return null;
  const { timeZone } = await getSettings(ctx);
  const today = localDateOf(timeZone, ctx.now);
  const localHour = new Date(ctx.now.getTime() + offsetMinutes(timeZone, ctx.now.getTime()) * 60_000).getUTCHours();
  const weekday = ((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
  if (s.lastSentFor === today || localHour < s.hour) return null;
  if (s.frequency === 'weekly' && weekday !== s.weekday) return null;
  const to = addDays(today, -1);
  const from = s.frequency === 'weekly' ? addDays(today, -7) : to;
  const range = { from, to, interval: 'day' as const, by: 'none' as const };
  const [volume, speed, backlog] = await Promise.all([runReport(ctx, 'volume', range), runReport(ctx, 'speed', range), runReport(ctx, 'backlog', range)]);
  const users = (await findUsersByIds(ctx.db, s.recipientIds)).filter((u) => u.active && (u.role === 'admin' || u.role === 'supervisor'));
  if (users.length === 0) return null;
  const lines = digestLines(volume, speed, backlog);
  const title = `${s.frequency === 'weekly' ? 'Weekly' : 'Daily'} support digest: ${from === to ? from : `${from} to ${to}`}`;
  return {
    to: users.map((u) => ({ name: u.name, address: u.email })),
    subject: title,
    text: `${title}\n\n${lines.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\nAll times in ${timeZone}.\n`,
    html: `<h2>${escapeHtml(title)}</h2><table>${lines.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table><p>All times in ${escapeHtml(timeZone)}.</p>`,
    sentFor: today,
  };
}

function digestLines(volume: ReportResponse, speed: ReportResponse, backlog: ReportResponse): [string, string][] {
  const v = volume.tables.find((t) => t.id === 'volume')!.totals!.cells;
  const sp = speed.tables.find((t) => t.id === 'speed')!.totals!.cells;
  const open = backlog.tables.find((t) => t.id === 'open-now')!.totals!.cells;
  const min = (x: unknown) => (x === null || x === undefined ? 'n/a' : `${x} min`);
  return [
    ['Tickets created', String(v.created)],
    ['Tickets resolved', String(v.resolved)],
    ['Reopened', String(v.reopened)],
    ['First response (median)', min(sp.firstResponseMedian)],
    ['Resolution (median)', min(sp.resolutionMedian)],
    ['Open now', String(open.total)],
    ['Unassigned now', String(open.unassigned)],
  ];
}

export async function markDigestSent(ctx: Ctx, sentFor: string): Promise<void> {
  const s = await readDigestSettings(ctx.db);
  await writeDigestSettings(ctx.db, { ...s, lastSentFor: sentFor }, ctx.now.toISOString());
}
