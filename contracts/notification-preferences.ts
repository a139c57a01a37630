import { z } from 'zod';

/**
 * What an agent can choose to hear of, in the bell (in-app, pushed live) and by email.
 * sla_mine: SLA warnings and breaches on tickets assigned to me; sla_group: on tickets of my
 * groups that someone else or nobody holds.
 */
export const PREFERENCE_KINDS = ['assigned', 'mention', 'customer_reply', 'sla_mine', 'sla_group', 'callback_due', 'automation'] as const;
export type PreferenceKind = (typeof PREFERENCE_KINDS)[number];

export const channelChoice = z.object({ inApp: z.boolean(), email: z.boolean() });
export type ChannelChoice = z.infer<typeof channelChoice>;

/** Everything in the bell, nothing by email, and group-wide SLA alerts off until asked for. */
export const DEFAULT_PREFERENCES: Record<PreferenceKind, ChannelChoice> = {
  assigned: { inApp: true, email: false },
  mention: { inApp: true, email: false },
  customer_reply: { inApp: true, email: false },
  sla_mine: { inApp: true, email: false },
  sla_group: { inApp: false, email: false },
  callback_due: { inApp: true, email: false },
  automation: { inApp: true, email: false },
};

export const preferencesResponse = z.object(Object.fromEntries(PREFERENCE_KINDS.map((k) => [k, channelChoice])) as Record<PreferenceKind, typeof channelChoice>);
export type PreferencesResponse = z.infer<typeof preferencesResponse>;

export const updatePreferencesRequest = z
  .strictObject(Object.fromEntries(PREFERENCE_KINDS.map((k) => [k, z.strictObject({ inApp: z.boolean().optional(), email: z.boolean().optional() }).optional()])) as Record<PreferenceKind, z.ZodOptional<z.ZodObject<{ inApp: z.ZodOptional<z.ZodBoolean>; email: z.ZodOptional<z.ZodBoolean> }, z.core.$strict>>>)
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'give at least one kind');
