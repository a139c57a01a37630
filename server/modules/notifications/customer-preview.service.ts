import type { z } from 'zod';
import type { CustomerTemplateKey, previewTemplateRequest, renderedPreviewResponse, replyPreviewRequest, replyPreviewResponse } from '../../../contracts/customer-notifications.js';
import type { Ctx } from '../../platform/context.js';
import { badRequest, invalidField } from '../../platform/errors.js';
import { findUsersByIds, getSettings, requireAdmin, requireStaff } from '../auth/index.js';
import { findMailboxById, listMailboxRows, mailSubject, outboundTargetOf, type OutboundTarget } from '../channels/index.js';
import { getContactsByIds } from '../contacts/index.js';
import { listMessages, sanitizeMessageHtml } from '../messages/index.js';
import { getTicket, type Ticket } from '../tickets/index.js';
import { notificationEnabled, templatesFor, templateVars, type VarsInput } from './customer-mail-vars.js';
import { listRestrictedWords } from './customer-notifications.repository.js';
import { checkTemplate, htmlToText, renderCustomerMail, type RenderedMail } from './customer-render.js';
import { findRestrictedWords } from './customer-restricted-words.js';
import type { TemplateText } from './customer-templates.js';

type Rendered = z.infer<typeof renderedPreviewResponse>;

const SAMPLE_TICKET: VarsInput['ticket'] = {
  number: 1042,
  subject: 'The printer in room 4 is on fire',
  status: 'open',
  priority: 'high',
  type: 'incident',
  channel: 'email',
  createdAt: '2026-03-02T09:00:00.000Z',
  customFields: {},
};
const SAMPLE_MESSAGE = { html: '<p>Thank you for your patience. A technician is on the way and will be with you within the hour.</p>', text: 'Thank you for your patience. A technician is on the way and will be with you within the hour.' };
const SAMPLE_PREVIOUS = { author: 'Carol Customer', date: '2026-03-02T08:45:00.000Z', html: '<p>The printer in room 4 is on fire. Please help.</p>', text: 'The printer in room 4 is on fire. Please help.' };
const SAMPLE_MAILBOX: VarsInput['mailbox'] = { address: 'support@example.com', displayName: 'Example Support', brand: { name: 'Example', logoUrl: null, colour: '#1f6feb', signature: 'The Example support team' } };

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const textToHtml = (text: string): string =>
  text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');

/** A reply body as the messages module stores it: sanitised HTML and its text. */
function replyBody(body: string, format: 'text' | 'html'): { html: string; text: string } {
  if (format === 'html') {
    const html = sanitizeMessageHtml(body);
    return { html, text: htmlToText(html) };
  }
  const text = body.replace(/\r\n?/g, '\n').trim();
  return { html: textToHtml(text), text };
}

async function render(layout: TemplateText, body: TemplateText, vars: Record<string, unknown>): Promise<RenderedMail> {
  try {
    return await renderCustomerMail(layout, body, vars);
  } catch (err) {
    throw badRequest(`The template could not be rendered: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

function addressing(target: OutboundTarget | null, cc: boolean): Pick<Rendered, 'from' | 'replyTo' | 'to' | 'cc'> {
  return { from: target?.from ?? null, replyTo: target?.replyTo ?? null, to: target?.requester ? [target.requester] : [], cc: cc && target ? target.cc : [] };
}

async function lastCustomerMessage(ctx: Ctx, ticket: Ticket): Promise<VarsInput['previous']> {
  const prev = (await listMessages(ctx, ticket.number)).filter((m) => m.kind === 'customer').pop();
  if (!prev) return null;
  const [author] = prev.authorContactId ? await getContactsByIds(ctx, [prev.authorContactId]) : [];
  return { author: author?.name || author?.emails[0] || 'you', date: prev.createdAt, html: prev.bodyHtml, text: prev.bodyText };
}

/**
 * Renders a template as the customer would get it, with unsaved changes if given, for a real
 * ticket or sample data. The layout is previewed around a sample reply.
 */
export async function previewTemplate(ctx: Ctx, key: CustomerTemplateKey, input: z.output<typeof previewTemplateRequest>): Promise<Rendered> {
  requireAdmin(ctx.actor);
  checkTemplate(input);
  const occasion = key === 'layout' ? 'reply' : key;
  const stored = await templatesFor(ctx.db, occasion);
  const patch = (t: TemplateText): TemplateText => ({ subject: input.subject ?? t.subject, html: input.html ?? t.html, text: input.text ?? t.text });
  const layout = key === 'layout' ? patch(stored.layout) : stored.layout;
  const body = key === 'layout' ? stored.body : patch(stored.body);

  const ticket = input.ticketNumber ? await getTicket(ctx, input.ticketNumber) : null;
  const target = ticket ? await outboundTargetOf(ctx, ticket) : null;
  const chosen = input.mailboxId ? await findMailboxById(ctx.db, input.mailboxId) : undefined;
  if (input.mailboxId && !chosen) throw invalidField('mailboxId', 'unknown mailbox');
  const box = chosen ?? target?.mailbox ?? (await listMailboxRows(ctx.db, { activeOnly: true }))[0];
  const vars: VarsInput = {
    ticket: ticket ?? SAMPLE_TICKET,
    mailbox: box ? { address: box.address, displayName: box.displayName, brand: box.brand } : SAMPLE_MAILBOX,
    customer: target?.requester ? { name: target.requester.name, email: target.requester.address } : { name: 'Carol Customer', email: 'carol@example.com' },
    agentName: ctx.actor.type === 'user' ? ctx.actor.name : 'Alex Agent',
    helpdeskName: (await getSettings(ctx)).helpdeskName,
    message: SAMPLE_MESSAGE,
    previous: ticket ? await lastCustomerMessage(ctx, ticket) : SAMPLE_PREVIOUS,
  };
  const r = await render(layout, body, templateVars(vars));
  return { ...r, subject: mailSubject(r.subject, vars.ticket.number), ...addressing(target, occasion === 'reply') };
}

/**
 * The email a reply would become, before it is sent: subject, HTML and text as rendered with
 * the reply template, the recipients, and the restricted words it contains.
 */
export async function previewReply(ctx: Ctx, number: number, input: z.output<typeof replyPreviewRequest>): Promise<z.infer<typeof replyPreviewResponse>> {
  requireStaff(ctx.actor);
  const ticket = await getTicket(ctx, number);
  const target = await outboundTargetOf(ctx, ticket);
  const message = replyBody(input.body, input.format);
  const [me] = ctx.actor.type === 'user' ? await findUsersByIds(ctx.db, [ctx.actor.id]) : [];
  const vars: VarsInput = {
    ticket: { ...ticket, status: input.setStatus ?? ticket.status },
    mailbox: target ? { address: target.mailbox.address, displayName: target.mailbox.displayName, brand: target.mailbox.brand } : SAMPLE_MAILBOX,
    customer: target?.requester ? { name: target.requester.name, email: target.requester.address } : { name: '', email: '' },
    agentName: me?.name ?? '',
    helpdeskName: (await getSettings(ctx)).helpdeskName,
    message,
    previous: await lastCustomerMessage(ctx, ticket),
  };
  const t = await templatesFor(ctx.db, 'reply');
  const r = await render(t.layout, t.body, templateVars(vars));
  const subject = mailSubject(r.subject, ticket.number);
  let reason: string | null = null;
  if (!target) reason = 'no active mailbox to send from';
  else if (!target.requester) reason = 'the requester has no usable email address';
  else if (!(await notificationEnabled(ctx.db, 'reply', target.mailbox.id))) reason = 'reply emails are switched off for this mailbox';
  const words = await listRestrictedWords(ctx.db);
  const restrictedWords = findRestrictedWords(words, [
    { where: 'subject', text: subject },
    { where: 'body', text: message.text },
  ]);
  return { ...r, subject, ...addressing(target, true), willSend: reason === null, reason, restrictedWords };
}
