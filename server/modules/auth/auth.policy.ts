import type { Actor } from '../../platform/context.js';
import { AppError, forbidden } from '../../platform/errors.js';

export type StaffActor = Extract<Actor, { type: 'user' }>;

export function requireAuthenticated(actor: Actor): void {
  if (actor.type === 'system') return;
  if (!actor.id) throw new AppError('unauthenticated', 'Sign in first');
}

/** Agents, supervisors, admins (and system actors such as rules and the CLI). */
export function requireStaff(actor: Actor): asserts actor is StaffActor | Extract<Actor, { type: 'system' }> {
  if (actor.type === 'customer') throw forbidden('Only staff may do this');
}

export function requireAdmin(actor: Actor): void {
  if (actor.type === 'system') return;
  if (actor.type !== 'user' || actor.role !== 'admin') throw forbidden('Only administrators may do this');
  if (actor.withoutAdminScope) throw forbidden('This API token lacks the "admin" scope');
}

export function requireSupervisor(actor: Actor): void {
  if (actor.type === 'system') return;
  if (actor.type !== 'user' || (actor.role !== 'admin' && actor.role !== 'supervisor')) {
    throw forbidden('Only supervisors and administrators may do this');
  }
}

export const isAdmin = (actor: Actor): boolean => actor.type === 'system' || (actor.type === 'user' && actor.role === 'admin' && !actor.withoutAdminScope);
