import type { PresencePerson, ServerMessage } from '../../../contracts/realtime.js';
import type { Actor } from '../context.js';

/** What a projector sends: an event for some rooms; notes and other internals are `staffOnly`. */
export interface Push {
  rooms: string[];
  event: string;
  data: Record<string, unknown>;
  staffOnly: boolean;
  /** When the change happened (the outbox event's time). */
  at: string;
}

/** A connected socket as the hub sees it. */
export interface HubClient {
  readonly id: string;
  actor: Actor;
  readonly rooms: Set<string>;
  send(message: ServerMessage): void;
}

export const isStaff = (actor: Actor): boolean => actor.type !== 'customer';

/** The sockets of this process and the rooms they joined; knows nothing of other processes. */
export class RealtimeHub {
  private readonly members = new Map<string, Set<HubClient>>();
  readonly clients = new Set<HubClient>();

  add(client: HubClient): void {
    this.clients.add(client);
  }

  remove(client: HubClient): void {
    for (const room of client.rooms) this.leave(client, room);
    this.clients.delete(client);
  }

  join(client: HubClient, room: string): void {
    client.rooms.add(room);
    const set = this.members.get(room) ?? new Set<HubClient>();
    set.add(client);
    this.members.set(room, set);
  }

  leave(client: HubClient, room: string): void {
    client.rooms.delete(room);
    const set = this.members.get(room);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.members.delete(room);
  }

  /** Sends the push once to every local socket in any of its rooms; returns how many got it. */
  deliver(push: Push): number {
    const targets = new Map<HubClient, string[]>();
    for (const room of push.rooms) {
      for (const client of this.members.get(room) ?? []) {
        if (push.staffOnly && !isStaff(client.actor)) continue;
        targets.set(client, [...(targets.get(client) ?? []), room]);
      }
    }
    for (const [client, rooms] of targets) client.send({ type: 'event', event: push.event, rooms, data: push.data, at: push.at });
    return targets.size;
  }

  /** Presence is for staff only: customers never learn which agents look at their ticket. */
  sendPresence(ticket: number, people: PresencePerson[], only?: HubClient): void {
    const targets = only ? [only] : [...(this.members.get(`ticket:${ticket}`) ?? [])];
    for (const client of targets) if (isStaff(client.actor)) client.send({ type: 'presence', ticket, people });
  }
}
