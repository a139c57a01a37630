import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { formSettings, type FormSettings, type updateFormSettingsRequest } from '../../../../contracts/forms.js';
import { TICKET_TYPES } from '../../../../contracts/tickets.js';
import { recordAudit } from '../../../platform/audit/audit.repository.js';
import type { BlobStore } from '../../../platform/blobs/blob-store.js';
import { systemActor, type Ctx } from '../../../platform/context.js';
import { inTransaction } from '../../../platform/db/transaction.js';
import { AppError } from '../../../platform/errors.js';
import { requireAdmin } from '../../auth/index.js';
import { createTicketWithMessage, storeChannelAttachment } from '../../messages/index.js';
import { listCustomFields } from '../../tickets/index.js';
import { replySecret } from '../inbound-process.service.js';
import { activeMailboxFor } from '../mailboxes.service.js';
import { upsertMailThread } from '../threads.repository.js';
import { readChannelSetting, writeChannelSetting } from '../chat/chat.repository.js';

const SETTINGS_KEY = 'form';
/** A person needs more than this to fill in the form; scripts post at once. */
export const MIN_FILL_MS = 2_000;
/** A form left open longer than this is reloaded (its time stamp expires). */
export const MAX_FORM_AGE_MS = 24 * 3600_000;
export const MAX_FORM_FILES = 5;

export async function getFormSettings(ctx: Ctx): Promise<FormSettings> {
  const parsed = formSettings.safeParse((await readChannelSetting(ctx.db, SETTINGS_KEY)) ?? {});
  return parsed.success ? parsed.data : formSettings.parse({});
}

export async function updateFormSettings(ctx: Ctx, input: z.output<typeof updateFormSettingsRequest>): Promise<FormSettings> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const before = await getFormSettings(tx);
    const next = formSettings.parse({ ...before, ...input });
    await writeChannelSetting(tx.db, SETTINGS_KEY, next, tx.now.toISOString());
    await recordAudit(tx, 'settings.updated', { type: 'settings', id: 'forms' }, { before, after: next });
    return next;
  });
}

export interface FormField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'dropdown' | 'multi_select' | 'checkbox' | 'date';
  options: string[];
  required: boolean;
}

/** The custom fields the form asks for a type: those configured for it, plus every field the type requires. */
export async function formFieldsFor(ctx: Ctx, settings: FormSettings, type: string): Promise<FormField[]> {
  const all = (await listCustomFields({ ...ctx, actor: systemActor('web_form') })).filter((f) => f.active);
  const wanted = new Set(settings.fields[type as (typeof TICKET_TYPES)[number]] ?? []);
  return all
    .filter((f) => wanted.has(f.key) || f.requiredForTypes.includes(type))
    .sort((a, b) => a.position - b.position)
    .map((f) => ({ key: f.key, label: f.label, type: f.type, options: f.options, required: f.requiredForTypes.includes(type) }));
}

const sign = (secret: string, ms: number): string => createHmac('sha256', secret).update(`contact-form:${ms}`).digest('base64url');

/** The time trap: the page carries when it was served, signed so a script cannot backdate it. */
export async function issueFormStamp(ctx: Ctx): Promise<string> {
  const ms = ctx.now.getTime();
  return `${ms}.${sign(await replySecret(ctx), ms)}`;
}

type StampProblem = 'invalid' | 'too_fast' | 'expired' | null;

async function stampProblem(ctx: Ctx, stamp: string): Promise<StampProblem> {
  const [msText = '', mac = ''] = stamp.split('.');
  const ms = Number(msText);
  const expected = Buffer.from(Number.isSafeInteger(ms) ? sign(await replySecret(ctx), ms) : '');
  const given = Buffer.from(mac);
  if (!expected.length || expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  const age = ctx.now.getTime() - ms;
  if (age < MIN_FILL_MS) return 'too_fast';
  return age > MAX_FORM_AGE_MS ? 'expired' : null;
}

const STAMP_MESSAGES: Record<Exclude<StampProblem, null>, string> = {
  invalid: 'This form could not be verified. Reload the page and send it again.',
  too_fast: 'The form was sent too quickly. Wait a moment and send it again.',
  expired: 'This form has expired. Reload the page and send it again.',
};

async function checkFormStamp(ctx: Ctx, stamp: string): Promise<void> {
  const problem = await stampProblem(ctx, stamp);
  if (problem) throw new AppError('form_rejected', STAMP_MESSAGES[problem]);
}

/** A form shown again after an error keeps its first time stamp: the time trap counts from the first view. */
export async function keepOrIssueStamp(ctx: Ctx, stamp: string | undefined): Promise<string> {
  const problem = stamp ? await stampProblem(ctx, stamp) : 'invalid';
  return stamp && (problem === null || problem === 'too_fast') ? stamp : issueFormStamp(ctx);
}

export interface FormSubmission {
  type: string;
  name: string;
  email: string;
  subject: string;
  message: string;
  custom: Record<string, string[]>;
  /** The field people never see; anything in it means a bot filled the form. */
  honeypot: string;
  stamp: string;
  mailbox: string | undefined;
  files: { content: Buffer; filename: string; contentType: string }[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function coerce(field: FormField, raw: string[]): string | number | boolean | string[] | null {
  const first = (raw[0] ?? '').trim();
  switch (field.type) {
    case 'checkbox':
      return raw.length > 0 ? true : null;
    case 'multi_select':
      return raw.length ? raw : null;
    case 'number':
      return first === '' ? null : Number(first);
    default:
      return first === '' ? null : first;
  }
}

/**
 * Checks a submission and opens a ticket (channel web_form) with the files attached; the
 * notifications module sends the customer's acknowledgement for new web_form tickets. Every
 * problem with the fields is reported at once (details.fields) so the page can show them all.
 */
export async function submitContactForm(ctx: Ctx, blobs: BlobStore, maxBytes: number, sub: FormSubmission): Promise<{ ticketNumber: number }> {
  if (sub.honeypot.trim() !== '') throw new AppError('form_rejected', 'This form could not be sent. Reload the page and send it again.');
  await checkFormStamp(ctx, sub.stamp);
  const settings = await getFormSettings(ctx);
  const problems: { path: string; message: string }[] = [];
  const type = settings.types.includes(sub.type as never) ? sub.type : null;
  if (!type) problems.push({ path: 'type', message: 'choose one of the offered request types' });
  if (!sub.name.trim()) problems.push({ path: 'name', message: 'enter your name' });
  if (!EMAIL.test(sub.email.trim()) || sub.email.length > 254) problems.push({ path: 'email', message: 'enter a valid email address' });
  if (!sub.subject.trim()) problems.push({ path: 'subject', message: 'enter a subject' });
  if (sub.subject.length > 500) problems.push({ path: 'subject', message: 'is longer than 500 characters' });
  if (!sub.message.trim()) problems.push({ path: 'message', message: 'describe your request' });
  if (sub.files.length > MAX_FORM_FILES) problems.push({ path: 'files', message: `attach at most ${MAX_FORM_FILES} files` });
  const customFields: Record<string, string | number | boolean | string[] | null> = {};
  for (const f of type ? await formFieldsFor(ctx, settings, type) : []) {
    const value = coerce(f, sub.custom[f.key] ?? []);
    if (f.required && (value === null || value === '')) problems.push({ path: `customFields.${f.key}`, message: `${f.label}: this field is required` });
    else if (f.type === 'number' && typeof value === 'number' && !Number.isFinite(value)) problems.push({ path: `customFields.${f.key}`, message: `${f.label}: enter a number` });
    else if ((f.type === 'dropdown' || f.type === 'multi_select') && value !== null && ([] as unknown[]).concat(value).some((v) => !f.options.includes(String(v)))) problems.push({ path: `customFields.${f.key}`, message: `${f.label}: choose one of the options` });
    else if (value !== null) customFields[f.key] = value;
  }
  const mailbox = sub.mailbox ? await activeMailboxFor(ctx.db, sub.mailbox) : undefined;
  if (sub.mailbox && !mailbox) problems.push({ path: 'mailbox', message: 'this form is not connected to an active mailbox' });
  if (problems.length) throw new AppError('validation_failed', 'Some fields need your attention', { fields: problems });

  const sys: Ctx = { ...ctx, actor: systemActor('web_form') };
  return inTransaction(sys, async (tx) => {
    const attachmentIds: string[] = [];
    for (const f of sub.files) attachmentIds.push((await storeChannelAttachment(tx, blobs, { ...f, maxBytes })).id);
    const { ticket } = await createTicketWithMessage(tx, {
      subject: sub.subject.trim(),
      requester: { email: sub.email.trim().toLowerCase(), name: sub.name.trim() },
      message: { body: sub.message, format: 'text', attachmentIds },
      priority: 'medium',
      type: type as (typeof TICKET_TYPES)[number],
      channel: 'web_form',
      assigneeId: null,
      groupId: mailbox?.defaultGroupId ?? null,
      tags: [],
      customFields,
    });
    if (mailbox) await upsertMailThread(tx.db, { ticketId: ticket.id, mailboxId: mailbox.id, lastInboundHeaderId: null }, tx.now.toISOString());
    return { ticketNumber: ticket.number };
  });
}
