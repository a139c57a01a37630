import type { CustomerNotificationKey, CustomerTemplateKey } from '../../../contracts/customer-notifications.js';
import type { AnyDb } from '../../platform/db/database.js';
import { onceInTransaction } from '../../platform/db/transaction-memo.js';
import { REPLY_ABOVE_MARKER } from '../../platform/mail/quote-trimmer.js';
import type { OutboundTarget } from '../channels/index.js';
import type { Ticket } from '../tickets/index.js';
import { findStoredTemplates, listSwitches } from './customer-notifications.repository.js';
import { renderCustomerMail, type RenderedMail } from './customer-render.js';
import { DEFAULT_TEMPLATES, type TemplateText } from './customer-templates.js';

export interface MailParty {
  name: string;
  email: string;
}

export interface VarsInput {
  ticket: Pick<Ticket, 'number' | 'subject' | 'status' | 'priority' | 'type' | 'channel' | 'createdAt' | 'customFields'>;
  mailbox: { address: string; displayName: string; brand: { name: string; logoUrl: string | null; colour: string; signature: string } };
  customer: MailParty;
  agentName: string;
  helpdeskName: string;
  message?: { html: string; text: string } | undefined;
  previous?: { author: string; date: string; html: string; text: string } | null | undefined;
}

const firstName = (name: string): string => name.trim().split(/\s+/)[0] ?? '';

/** The variables every customer template sees (snake_case, as Liquid templates usually name them). */
export function templateVars(i: VarsInput): Record<string, unknown> {
  return {
    ticket: {
      number: i.ticket.number,
      subject: i.ticket.subject,
      status: i.ticket.status,
      priority: i.ticket.priority,
      type: i.ticket.type,
      channel: i.ticket.channel,
      created_at: i.ticket.createdAt,
      custom_fields: { ...i.ticket.customFields },
    },
    customer: { name: i.customer.name, first_name: firstName(i.customer.name), email: i.customer.email },
    agent: { name: i.agentName },
    mailbox: { address: i.mailbox.address, display_name: i.mailbox.displayName },
    brand: { name: i.mailbox.brand.name, logo_url: i.mailbox.brand.logoUrl, colour: i.mailbox.brand.colour, signature: i.mailbox.brand.signature },
    helpdesk: { name: i.helpdeskName },
    reply_marker: REPLY_ABOVE_MARKER,
    message: i.message ?? null,
    previous: i.previous ?? null,
  };
}

/** The layout and the occasion's template: the admin's copy where there is one, else the built-in. */
export async function templatesFor(db: AnyDb, key: Exclude<CustomerTemplateKey, 'layout'>): Promise<{ layout: TemplateText; body: TemplateText; customized: boolean }> {
  const stored = await findStoredTemplates(db, ['layout', key]);
  return { layout: stored.get('layout') ?? DEFAULT_TEMPLATES.layout, body: stored.get(key) ?? DEFAULT_TEMPLATES[key], customized: stored.size > 0 };
}

/**
 * Renders with the admin's templates; if they fail at run time (a limit, a bad filter input),
 * the built-in ones are used so the customer still gets their mail, and the error is returned.
 */
export async function renderOccasion(db: AnyDb, key: Exclude<CustomerTemplateKey, 'layout'>, vars: Record<string, unknown>): Promise<RenderedMail & { templateError: string | null }> {
  const t = await templatesFor(db, key);
  try {
    return { ...(await renderCustomerMail(t.layout, t.body, vars)), templateError: null };
  } catch (err) {
    if (!t.customized) throw err;
    const rendered = await renderCustomerMail(DEFAULT_TEMPLATES.layout, DEFAULT_TEMPLATES[key], vars);
    return { ...rendered, templateError: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether an occasion's mail goes out for a mailbox: its own switch if set, else the global one (on by default). */
export async function notificationEnabled(db: AnyDb, key: CustomerNotificationKey, mailboxId: string | null): Promise<boolean> {
  // All switches (a few per mailbox), once per transaction: a delivered batch asks for every new ticket.
  const rows = await onceInTransaction(db, 'customer-mail:switches', () => listSwitches(db));
  const own = mailboxId ? rows.find((r) => r.scope === mailboxId && r.key === key) : undefined;
  const global = rows.find((r) => r.scope === 'global' && r.key === key);
  return own?.enabled ?? global?.enabled ?? true;
}

export const targetMailbox = (t: OutboundTarget): VarsInput['mailbox'] => ({ address: t.mailbox.address, displayName: t.mailbox.displayName, brand: t.mailbox.brand });
