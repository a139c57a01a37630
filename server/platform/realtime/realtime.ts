import { ROOM_PATTERN, type PresencePerson } from '../../../contracts/realtime.js';
import type { Actor } from '../context.js';
import type { AnyDb, Database } from '../db/dialect/types.js';
import { toIso } from '../db/rows.js';
import type { EventDispatcher } from '../events/dispatcher.js';
import type { OutboxEvent } from '../events/outbox.repository.js';
import { PresenceBoard, type PresenceChange } from './presence-board.js';
import { RealtimeBus, type BusMessage } from './realtime-bus.js';
import { Connection, type ConnectionHost, type RawSocket } from './realtime-connection.js';
import { RealtimeHub, type Push } from './realtime-hub.js';

export type { Push } from './realtime-hub.js';

/** Decides whether an actor may join `<kind>:<key>`; each module guards its own room kinds. */
export type RoomGuard = (actor: Actor, key: string, db: AnyDb) => Promise<boolean> | boolean;
/** Turns one committed domain event into pushes; runs in the dispatcher's transaction. */
export type Projector = (event: OutboxEvent, db: AnyDb) => Promise<Omit<Push, 'at'>[]> | Omit<Push, 'at'>[];
/** The same for a run of events of one name, read together: each event's pushes, in the events' order. */
export type RunProjector = (events: OutboxEvent[], db: AnyDb) => Promise<Omit<Push, 'at'>[][]>;

interface Log {
  error(obj: unknown, msg?: string): void;
}

/**
 * The realtime service of one process: rooms and sockets (hub), presence, and the bus to the
 * other processes. Modules add room guards and projectors; there is no central switch.
 */
export class Realtime implements ConnectionHost {
  readonly hub = new RealtimeHub();
  private readonly board = new PresenceBoard();
  private readonly bus = new RealtimeBus();
  private readonly guards = new Map<string, RoomGuard>();
  private readonly connections = new Set<Connection>();
  private database: Database | null = null;
  private timer: NodeJS.Timeout | null = null;
  private log: Log = { error: () => undefined };
  heartbeatMs = 30_000;
  presenceTtlMs = 60_000;

  /** Pushes for the other processes, gathered per delivery (its transaction) and sent together at its end. */
  private readonly outgoing = new WeakMap<AnyDb, BusMessage[]>();

  constructor(private readonly events: EventDispatcher) {
    this.events.beforeCommit(async (db) => {
      const messages = this.outgoing.get(db);
      if (!messages) return;
      this.outgoing.delete(db);
      await this.bus.sendMany(db, messages);
    });
    // Rooms that need no domain knowledge: the actor carries its id, groups and restriction.
    this.room('queue', (actor) => actor.type === 'system' || (actor.type === 'user' && (!actor.restricted || actor.role === 'admin')));
    this.room('agent', (actor, key) => actor.type === 'user' && actor.id === key);
    this.room('group', (actor, key) => actor.type === 'system' || (actor.type === 'user' && actor.groupIds.includes(key)));
  }

  room(kind: string, guard: RoomGuard): void {
    if (this.guards.has(kind)) throw new Error(`realtime room kind ${kind} guarded twice`);
    this.guards.set(kind, guard);
  }

  /** Registers a projector for a domain event; its pushes go out once the event is dispatched. */
  project(eventName: string, projector: Projector): void {
    this.events.subscribe(eventName, async (event, db) => {
      if (!this.anyoneListens(db)) return;
      const at = toIso(event.createdAt);
      for (const push of await projector(event, db)) this.deliverAndGather(db, { ...push, at });
    });
  }

  /**
   * A projector that reads what all of a delivered batch's events of the name need in one go
   * (a batch create's, a busy second's); their pushes go out where the first of them comes, so
   * only for events whose order against other events' pushes does not matter to a client.
   */
  projectRun(eventName: string, projector: RunProjector): void {
    this.events.subscribeRun(eventName, async (events, db) => {
      if (!this.anyoneListens(db)) return;
      const pushes = await projector(events, db);
      events.forEach((event, i) => {
        const at = toIso(event.createdAt);
        for (const push of pushes[i] ?? []) this.deliverAndGather(db, { ...push, at });
      });
    });
  }

  /** Projecting reads rows; with no socket here and no other process to tell, nobody would get it. */
  private anyoneListens(db: AnyDb): boolean {
    return this.hub.clients.size > 0 || this.bus.reachesOthers(db);
  }

  /**
   * A projected push: to this process's sockets now, to the other processes with the rest of
   * the delivered batch (one NOTIFY for many pushes, not a round trip for each).
   */
  private deliverAndGather(db: AnyDb, push: Push): void {
    const message = this.deliverHere(push);
    if (!message || !this.bus.reachesOthers(db)) return;
    const gathered = this.outgoing.get(db);
    if (gathered) gathered.push(message);
    else this.outgoing.set(db, [message]);
  }

  /** Delivers to this process's sockets now and to the other processes' through the bus. */
  async publish(db: AnyDb, push: Push): Promise<void> {
    const message = this.deliverHere(push);
    if (message) await this.bus.send(db, message);
  }

  /** To this process's sockets, each room once; the same push as a message for the bus (null: no room). */
  private deliverHere(push: Push): BusMessage | null {
    const rooms = [...new Set(push.rooms)];
    if (rooms.length === 0) return null;
    this.hub.deliver({ ...push, rooms });
    return { kind: 'push', push: { ...push, rooms } };
  }

  /** Starts listening to other processes and the heartbeat (web role). */
  async start(database: Database, log: Log, opts: { heartbeatMs?: number; presenceTtlMs?: number } = {}): Promise<void> {
    this.database = database;
    this.log = log;
    this.heartbeatMs = opts.heartbeatMs ?? this.heartbeatMs;
    this.presenceTtlMs = opts.presenceTtlMs ?? this.presenceTtlMs;
    await this.bus.start(database, { onMessage: (m) => this.receive(m), onResync: () => this.resync() }, log);
    if (!this.timer) {
      this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.connections) c.close(1001, 'server shutting down');
    await this.bus.stop();
  }

  /** Takes over an authenticated WebSocket. */
  accept(socket: RawSocket, actor: Actor, reauthenticate: () => Promise<Actor | null>): Connection {
    return new Connection(this, socket, actor, reauthenticate, this.log);
  }

  /** Who is viewing or replying on a ticket right now, across processes. */
  presenceOf(ticket: number): PresencePerson[] {
    return this.board.people(ticket, Date.now());
  }

  // ConnectionHost

  attach(conn: Connection): void {
    this.connections.add(conn);
    this.hub.add(conn);
  }

  async detach(conn: Connection): Promise<void> {
    this.connections.delete(conn);
    this.hub.remove(conn);
    for (const ticket of this.board.ticketsOf(this.presenceKey(conn))) await this.setPresence(conn, ticket, null);
  }

  async denyReason(actor: Actor, room: string): Promise<string | null> {
    if (!ROOM_PATTERN.test(room)) return 'unknown room';
    const [kind, key = ''] = room.split(':') as [string, string?];
    const guard = this.guards.get(kind);
    if (!guard || !this.database) return 'unknown room';
    try {
      return (await guard(actor, key, this.database.db)) ? null : 'not allowed';
    } catch (err) {
      this.log.error({ err, room }, 'room guard failed');
      return 'not allowed';
    }
  }

  join(conn: Connection, room: string): void {
    this.hub.join(conn, room);
  }

  welcome(conn: Connection, rooms: string[]): void {
    for (const room of rooms) {
      if (room.startsWith('ticket:')) this.hub.sendPresence(Number(room.slice(7)), this.presenceOf(Number(room.slice(7))), conn);
    }
  }

  async leave(conn: Connection, room: string): Promise<void> {
    this.hub.leave(conn, room);
    if (room.startsWith('ticket:')) await this.setPresence(conn, Number(room.slice(7)), null);
  }

  async setPresence(conn: Connection, ticket: number, state: 'viewing' | 'replying' | null): Promise<void> {
    if (conn.actor.type === 'customer') return;
    const who = conn.actor.type === 'user' ? { userId: conn.actor.id, name: conn.actor.name } : { userId: conn.actor.name, name: conn.actor.name };
    const key = this.presenceKey(conn);
    if (state === null && !this.board.holds(ticket, key)) return;
    const change: PresenceChange = { ticket, key, ...who, state, expiresAt: Date.now() + this.presenceTtlMs };
    if (this.board.apply(change, Date.now())) this.hub.sendPresence(ticket, this.presenceOf(ticket));
    // Refreshes travel too: they keep the entry alive in the other processes.
    if (this.database) await this.bus.send(this.database.db, { kind: 'presence', change });
  }

  private presenceKey(conn: Connection): string {
    return `${this.bus.origin}:${conn.id}`;
  }

  private receive(message: BusMessage): void {
    if (message.kind === 'push') {
      this.hub.deliver(message.push);
      return;
    }
    const { change } = message;
    if (this.board.apply(change, Date.now())) this.hub.sendPresence(change.ticket, this.presenceOf(change.ticket));
  }

  /** The listener was down: whatever the sockets show may be stale. */
  private resync(): void {
    for (const c of this.connections) c.send({ type: 'resync' });
  }

  /** One heartbeat: expires presence, drops dead sockets, re-checks sessions and rooms (the timer calls it). */
  async heartbeat(): Promise<void> {
    for (const ticket of this.board.sweep(Date.now())) this.hub.sendPresence(ticket, this.presenceOf(ticket));
    for (const c of [...this.connections]) {
      await c.heartbeat().catch((err: unknown) => this.log.error({ err }, 'realtime heartbeat failed'));
    }
  }
}

const byDispatcher = new WeakMap<EventDispatcher, Realtime>();

/**
 * The realtime service of the process that owns this event dispatcher. It rides on the
 * dispatcher because the dispatcher is what feeds it, so the composition root (and every test
 * app) gets exactly one per process without further wiring.
 */
export function realtimeOf(events: EventDispatcher): Realtime {
  let r = byDispatcher.get(events);
  if (!r) {
    r = new Realtime(events);
    byDispatcher.set(events, r);
  }
  return r;
}
