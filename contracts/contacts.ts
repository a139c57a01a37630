import { z } from 'zod';
import { email, isoDateTime, uuid } from './common.js';

/** Digits with the usual separators; at least three digits (`()-` is punctuation, not a number). */
export const phone = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^\+?[0-9 ()./-]+$/, 'must be a phone number')
  .refine((v) => v.replace(/\D/g, '').length >= 3, 'must be a phone number');

export const contactResponse = z.object({
  id: uuid,
  name: z.string(),
  emails: z.array(z.string()),
  phones: z.array(z.string()),
  organizationId: uuid.nullable(),
  vip: z.boolean(),
  notes: z.string(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type ContactResponse = z.infer<typeof contactResponse>;

export const createContactRequest = z.strictObject({
  name: z.string().trim().max(200).default(''),
  emails: z.array(email).max(20).default([]),
  phones: z.array(phone).max(20).default([]),
  organizationId: uuid.nullable().default(null),
  vip: z.boolean().default(false),
  notes: z.string().max(20000).default(''),
});
export const updateContactRequest = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  emails: z.array(email).max(20).optional(),
  phones: z.array(phone).max(20).optional(),
  organizationId: uuid.nullable().optional(),
  vip: z.boolean().optional(),
  notes: z.string().max(20000).optional(),
});
export const listContactsQuery = z.object({
  q: z.string().max(200).optional(),
  organizationId: uuid.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const organizationResponse = z.object({
  id: uuid,
  name: z.string(),
  domains: z.array(z.string()),
  notes: z.string(),
  vip: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
const domain = z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain such as example.com');
export const createOrganizationRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  domains: z.array(domain).max(50).default([]),
  notes: z.string().max(20000).default(''),
  vip: z.boolean().default(false),
});
export const updateOrganizationRequest = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  domains: z.array(domain).max(50).optional(),
  notes: z.string().max(20000).optional(),
  vip: z.boolean().optional(),
});
