import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';

/** good_bad: 1 good, 0 bad. five: 1 (worst) to 5 (best). */
export const csatScale = z.enum(['good_bad', 'five']);
export type CsatScale = z.infer<typeof csatScale>;

export const csatSettingsResponse = z.object({
  enabled: z.boolean().describe('Send a survey when a ticket is resolved (off until an admin turns it on)'),
  scale: csatScale,
  changeDays: z.number().int().describe('Days after the first rating during which the customer may change it'),
  linkDays: z.number().int().describe('Days a survey link stays valid'),
  templateSubject: z.string().nullable().describe('Liquid; null: the built-in subject'),
  templateHtml: z.string().nullable().describe('Liquid (escaped output); must place {{ rating_links }} or loop over `ratings`; null: the built-in body'),
});
export const updateCsatSettingsRequest = z.strictObject({
  enabled: z.boolean().optional(),
  scale: csatScale.optional(),
  changeDays: z.number().int().min(0).max(60).optional(),
  linkDays: z.number().int().min(1).max(365).optional(),
  templateSubject: z.string().max(1000).nullable().optional(),
  templateHtml: z.string().max(100_000).nullable().optional(),
});

export const csatRating = z.object({
  ticketId: uuid,
  number: z.number().int(),
  rating: z.number().int(),
  scale: csatScale,
  label: z.string().describe('good / bad, or "4 of 5"'),
  comment: z.string().nullable(),
  contactId: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  changeableUntil: isoDateTime,
});
export const ticketCsatResponse = z.object({ rating: csatRating.nullable() });

export const csatTokenParams = z.object({ token: z.string().min(10).max(300) });
export const csatRateQuery = z.object({ rating: z.coerce.number().int().min(0).max(5).optional() });
export const csatFormBody = z.object({ rating: z.coerce.number().int().min(0).max(5), comment: z.string().max(5000).optional() });
