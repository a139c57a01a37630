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

let references: UserReferences | null = null;

export function registerUserReferences(answers: UserReferences): void {
  references = answers;
}

export function userReferences(): UserReferences {
  // Unwired, a check would pass without being made: a linked contact that does not exist, an agent
  // made a customer while still assigned tickets. Fail loudly instead.
  if (!references) throw new Error('auth: registerUserReferences() was not called at start');
  return references;
}
