import { z } from 'zod';
import { patchOf } from './common.js';
import { ticketType } from './tickets.js';

/** The contact form (`/support/new` and its embeddable frame): what it asks, per ticket type. */
export const formSettings = z.strictObject({
  title: z.string().trim().min(1).max(200).default('Contact support'),
  intro: z.string().trim().max(2000).default('Tell us what you need and we will answer by email.'),
  /** Ticket types a customer may pick on the form; the first is the default. */
  types: z.array(ticketType).min(1).max(7).default(['question']),
  /** Custom field keys asked for each type, in order (fields required for the type are always asked). */
  fields: z.partialRecord(ticketType, z.array(z.string().max(60)).max(50)).default({}),
});
export type FormSettings = z.output<typeof formSettings>;
export const updateFormSettingsRequest = patchOf(formSettings);
