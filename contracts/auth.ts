import { z } from 'zod';
import { email, isoDateTime, uuid } from './common.js';

export const USER_ROLES = ['admin', 'supervisor', 'agent', 'customer'] as const;
export const userRoleSchema = z.enum(USER_ROLES);

export const loginRequest = z.strictObject({ email, password: z.string().min(1).max(1024) });

export const userResponse = z.object({
  id: uuid,
  email: z.string(),
  name: z.string(),
  role: userRoleSchema,
  active: z.boolean(),
  restrictedToGroups: z.boolean(),
  skills: z.array(z.string()),
  maxLoad: z.number().int().nullable(),
  available: z.boolean(),
  groupIds: z.array(uuid),
  contactId: uuid.nullable(),
  createdAt: isoDateTime,
  lastLoginAt: isoDateTime.nullable(),
});
export type UserResponse = z.infer<typeof userResponse>;

export const meResponse = z.object({ user: userResponse, csrfToken: z.string().nullable() });
export const loginResponse = meResponse;

/**
 * A skill is matched against a ticket's `skill:<name>` tags, whatever the case: one a tag cannot
 * spell (a space, a comma) would never match, and a repeat (in any case) says nothing more.
 */
const skills = z
  .array(
    z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[\p{L}\p{M}\p{N}_.:/-]+$/u, 'skills are single words, as in a skill:<name> tag (letters, digits, _ . : / -)'),
  )
  .max(50)
  .transform((list) => list.filter((s, i) => list.findIndex((o) => o.toLowerCase() === s.toLowerCase()) === i));

export const createUserRequest = z.strictObject({
  email,
  name: z.string().trim().min(1).max(200),
  role: userRoleSchema.default('agent'),
  password: z.string().min(8).max(1024).optional(),
  restrictedToGroups: z.boolean().default(false),
  skills: skills.default([]),
  maxLoad: z.number().int().min(0).max(10000).nullable().default(null),
  available: z.boolean().default(true),
  groupIds: z.array(uuid).max(100).default([]),
  contactId: uuid.nullable().optional(),
});
export type CreateUserRequest = z.input<typeof createUserRequest>;

export const updateUserRequest = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  email: email.optional(),
  role: userRoleSchema.optional(),
  password: z.string().min(8).max(1024).optional(),
  active: z.boolean().optional(),
  restrictedToGroups: z.boolean().optional(),
  skills: skills.optional(),
  maxLoad: z.number().int().min(0).max(10000).nullable().optional(),
  available: z.boolean().optional(),
  groupIds: z.array(uuid).max(100).optional(),
});

export const changePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(8).max(1024),
});

export const groupResponse = z.object({
  id: uuid,
  name: z.string(),
  description: z.string(),
  memberIds: z.array(uuid),
  createdAt: isoDateTime,
});
export const createGroupRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
  memberIds: z.array(uuid).max(1000).default([]),
});
export const updateGroupRequest = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().max(2000).optional(),
  memberIds: z.array(uuid).max(1000).optional(),
});

export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export const createTokenRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).default(['read', 'write']),
  expiresAt: isoDateTime.nullable().default(null),
});
export const tokenResponse = z.object({
  id: uuid,
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
  expiresAt: isoDateTime.nullable(),
});
export const createdTokenResponse = tokenResponse.extend({ token: z.string() });

/** What the admin audit log records; every module writes one of these (the compiler holds them to it). */
export const AUDIT_ACTIONS = [
  'automations.group_strategy_set',
  'automations.rule_created',
  'automations.rule_deleted',
  'automations.rule_updated',
  'csat.settings_updated',
  'custom_field.created',
  'custom_field.updated',
  'customer_notifications.updated',
  'customer_template.reset',
  'customer_template.updated',
  'group.created',
  'group.deleted',
  'group.updated',
  'integrations.settings_updated',
  'login.failed',
  'login.succeeded',
  'mail.replayed',
  'mailbox.created',
  'mailbox.deleted',
  'mailbox.updated',
  'notice.created',
  'notice.deleted',
  'notice.updated',
  'organization.deleted',
  'restricted_words.updated',
  'settings.updated',
  'sla_calendar.created',
  'sla_calendar.deleted',
  'sla_calendar.updated',
  'sla_policy.created',
  'sla_policy.deleted',
  'sla_policy.updated',
  'tag.deleted',
  'tag.merged',
  'tag.renamed',
  'ticket.deleted',
  'tickets.imported',
  'token.created',
  'token.revoked',
  'tracker.created',
  'tracker.deleted',
  'user.created',
  'user.password_change_failed',
  'user.password_changed',
  'user.updated',
  'webhook.created',
  'webhook.deleted',
  'webhook.updated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const auditLogQuery = z.object({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actorId: z.string().max(100).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditEntryResponse = z.object({
  id: uuid,
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  at: isoDateTime,
});
