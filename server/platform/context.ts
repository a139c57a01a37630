import type { AnyDb } from './db/dialect/types.js';

/** Staff roles and the customer role; policies in each module decide what each may do. */
export type UserRole = 'admin' | 'supervisor' | 'agent' | 'customer';

export type Actor =
  | {
      type: 'user';
      id: string;
      role: Exclude<UserRole, 'customer'>;
      name: string;
      email: string;
      groupIds: string[];
      /** Restricted agents see only tickets of their groups. */
      restricted: boolean;
      /** Set when the caller came with an API token made without the admin scope: an administrator's role then grants no admin powers. */
      withoutAdminScope?: true;
    }
  | { type: 'customer'; id: string; name: string; email: string; contactId: string | null; organizationId: string | null; seeOrganization: boolean }
  | { type: 'system'; name: string };

/** Lets a unit of work wake the event dispatcher once it has committed. */
export interface EventKick {
  kick(): void;
  /** After a commit that enqueued jobs but wrote no events: wakes the job runner only. */
  wakeWorkers?(): void;
}

/** Everything a service needs; the HTTP layer, the CLI, jobs and tests all build one. */
export interface Ctx {
  actor: Actor;
  requestId: string;
  now: Date;
  db: AnyDb;
  events: EventKick;
  ip?: string | undefined;
  /**
   * Set while an import writes history (`now` is then a past time): emit() marks the events
   * `imported`, so subscribers that act on the present (agent and customer notifications, SLA
   * alarms, rules) leave them alone while reports and search still follow them.
   */
  imported?: true | undefined;
}

export const systemActor = (name: string): Actor => ({ type: 'system', name });

export function actorRef(actor: Actor): { actorType: string; actorId: string | null } {
  if (actor.type === 'system') return { actorType: 'system', actorId: actor.name };
  return { actorType: actor.type === 'user' ? 'user' : 'customer', actorId: actor.id };
}
