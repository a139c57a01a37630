import { z } from 'zod';
import { isoDateTime, uuid } from './common.js';
import { phone } from './contacts.js';
import { ticketSubject } from './tickets.js';

const number = phone;

/** An agent logs a call: on an existing ticket (`ticketNumber`) or as a new one. */
export const logCallRequest = z.strictObject({
  number,
  direction: z.enum(['inbound', 'outbound']),
  durationSeconds: z.number().int().min(0).max(86_400),
  notes: z.string().trim().max(20_000).default(''),
  recordingUrl: z.string().trim().url().max(2000).refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').nullable().default(null),
  ticketNumber: z.number().int().positive().optional(),
  /** For a new ticket; defaults to "Call from/to <number>". */
  subject: ticketSubject.optional(),
  callerName: z.string().trim().max(200).optional(),
  startedAt: isoDateTime.optional(),
});

/** A phone system's event (generic CTI webhook), signed with the shared secret. */
export const ctiEventRequest = z.object({
  callId: z.string().trim().min(1).max(200),
  event: z.enum(['call.ended', 'call.completed']).default('call.ended'),
  direction: z.enum(['inbound', 'outbound']),
  from: number,
  to: number,
  durationSeconds: z.number().int().min(0).max(86_400),
  recordingUrl: z.string().trim().url().max(2000).refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').nullable().default(null),
  agentEmail: z.string().trim().toLowerCase().email().optional(),
  startedAt: isoDateTime.optional(),
  notes: z.string().max(20_000).default(''),
  /** Log the call on this ticket instead of opening one. */
  ticketNumber: z.number().int().positive().optional(),
});

export const callResponse = z.object({
  id: z.string(),
  ticketId: z.string(),
  ticketNumber: z.number().int(),
  contactId: z.string(),
  userId: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound']),
  number: z.string(),
  durationSeconds: z.number().int(),
  notes: z.string(),
  recordingUrl: z.string().nullable(),
  externalId: z.string().nullable(),
  startedAt: isoDateTime,
  createdAt: isoDateTime,
});
export type CallResponse = z.infer<typeof callResponse>;

export const createCallbackRequest = z.strictObject({
  ticketNumber: z.number().int().positive(),
  dueAt: isoDateTime,
  /** The agent who calls back; defaults to the caller of the API. */
  userId: uuid.optional(),
  /** Defaults to the requester's first phone number. */
  number: number.optional(),
  notes: z.string().trim().max(5000).default(''),
});

export const updateCallbackRequest = z.strictObject({
  status: z.enum(['scheduled', 'done', 'cancelled']).optional(),
  dueAt: isoDateTime.optional(),
});

export const CALLBACK_STATUSES = ['scheduled', 'due', 'done', 'cancelled'] as const;

export const callbackResponse = z.object({
  id: z.string(),
  ticketId: z.string(),
  ticketNumber: z.number().int(),
  ticketSubject: z.string(),
  userId: z.string(),
  number: z.string(),
  notes: z.string(),
  dueAt: isoDateTime,
  status: z.enum(CALLBACK_STATUSES),
  notifiedAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
});
export type CallbackResponse = z.infer<typeof callbackResponse>;

export const callbacksQuery = z.object({
  /** "me" (default), "all" (supervisors), or an agent's id. */
  user: z.union([z.literal('me'), z.literal('all'), uuid]).default('me'),
  status: z.enum(['open', 'done', 'cancelled', 'all']).default('open'),
});

export const phoneSettingsResponse = z.object({ ctiSecretSet: z.boolean() });
export const updatePhoneSettingsRequest = z.strictObject({ ctiSecret: z.string().min(16).max(200).nullable() });
