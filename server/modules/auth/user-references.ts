import { definePort } from '../../platform/port.js';
import type { Ctx } from '../../platform/context.js';

/**
 * What the modules above auth hold of a user, asked before a user is created or changed: auth is
 * tier 1 and may neither import those modules nor read their tables, so each answers for its own
 * and the composition root (main.ts, beside the event subscribers) hands the answers in at start.
 */
export interface UserReferences {
  /** Whether the contact a customer account is linked to exists (contacts). */
  contactExists(ctx: Ctx, contactId: string): Promise<boolean>;
  /** How many open tickets the user is the assignee of (tickets). */
  openTicketsAssignedTo(ctx: Ctx, userId: string): Promise<number>;
}

const port = definePort<UserReferences>('UserReferences');
export const registerUserReferences = port.register;
export const userReferences = port.get;
