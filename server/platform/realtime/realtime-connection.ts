import { clientMessage, type ClientMessage, type ServerMessage } from '../../../contracts/realtime.js';
import type { Actor } from '../context.js';
import { randomToken } from '../ids.js';
import { parseClientFrame } from './client-frame.js';
import { isStaff, type HubClient } from './realtime-hub.js';

/** The part of a `ws` WebSocket a connection uses (tests may pass a fake). */
export interface RawSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close' | 'pong', fn: () => void): unknown;
}

/** What the realtime service offers a connection; Realtime implements it. */
export interface ConnectionHost {
  readonly heartbeatMs: number;
  readonly presenceTtlMs: number;
  attach(conn: Connection): void;
  detach(conn: Connection): Promise<void>;
  /** null when the actor may join the room, else why not. */
  denyReason(actor: Actor, room: string): Promise<string | null>;
  join(conn: Connection, room: string): void;
  /** Sends what a new member of these rooms needs to see at once (who is on a ticket). */
  welcome(conn: Connection, rooms: string[]): void;
  leave(conn: Connection, room: string): Promise<void>;
  setPresence(conn: Connection, ticket: number, state: 'viewing' | 'replying' | null): Promise<void>;
}

const OPEN = 1;
/** A client that lets this much pile up is not reading; it reconnects and resyncs instead. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * One WebSocket: parses client frames, keeps their order, answers pings, and checks now and
 * then that its session still exists (a signed-out or disabled user loses the socket).
 */
export class Connection implements HubClient {
  readonly id = randomToken(9);
  readonly rooms = new Set<string>();
  private alive = true;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: ConnectionHost,
    private readonly socket: RawSocket,
    public actor: Actor,
    private readonly reauthenticate: () => Promise<Actor | null>,
    private readonly log: { error(obj: unknown, msg?: string): void },
  ) {
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      this.queue = this.queue.then(() => this.handle(text)).catch((err: unknown) => {
        this.log.error({ err }, 'realtime frame failed');
        this.send({ type: 'error', code: 'internal', message: 'The frame could not be handled' });
      });
    });
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => {
      this.queue = this.queue.then(() => this.host.detach(this)).catch((err: unknown) => this.log.error({ err }, 'realtime close failed'));
    });
    host.attach(this);
    const user = actor.type === 'system' ? { id: actor.name, name: actor.name } : { id: actor.id, name: actor.name };
    this.send({ type: 'hello', connectionId: this.id, user: { ...user, kind: isStaff(actor) ? 'staff' : 'customer' }, heartbeatMs: host.heartbeatMs, presenceTtlMs: host.presenceTtlMs });
  }

  send(message: ServerMessage): void {
    if (this.socket.readyState !== OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.terminate();
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  /** Called every heartbeat: drops dead peers, re-checks the session and every room. */
  async heartbeat(): Promise<void> {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
    const actor = await this.reauthenticate();
    if (!actor) {
      this.send({ type: 'error', code: 'unauthenticated', message: 'The session ended; sign in again' });
      this.close(4401, 'unauthenticated');
      return;
    }
    this.actor = actor;
    const dropped: string[] = [];
    for (const room of [...this.rooms]) {
      if ((await this.host.denyReason(actor, room)) === null) continue;
      await this.host.leave(this, room);
      dropped.push(room);
    }
    if (dropped.length) this.send({ type: 'unsubscribed', rooms: dropped });
  }

  private async handle(text: string): Promise<void> {
    const parsed = parseClientFrame(clientMessage, text);
    if (!parsed.ok) return this.send({ type: 'error', code: 'validation_failed', message: parsed.message });
    await this.dispatch(parsed.frame);
  }

  private async dispatch(msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'ping':
        return this.send({ type: 'pong', ...(msg.id === undefined ? {} : { id: msg.id }) });
      case 'subscribe': {
        const rooms: string[] = [];
        const denied: { room: string; reason: string }[] = [];
        for (const room of new Set(msg.rooms)) {
          const reason = await this.host.denyReason(this.actor, room);
          if (reason) denied.push({ room, reason });
          else {
            this.host.join(this, room);
            rooms.push(room);
          }
        }
        this.send({ type: 'subscribed', rooms, denied });
        return this.host.welcome(this, rooms);
      }
      case 'unsubscribe': {
        for (const room of msg.rooms) await this.host.leave(this, room);
        return this.send({ type: 'unsubscribed', rooms: msg.rooms });
      }
      case 'presence': {
        if (!isStaff(this.actor)) return this.send({ type: 'error', code: 'forbidden', message: 'Presence is for staff' });
        if (!this.rooms.has(`ticket:${msg.ticket}`)) return this.send({ type: 'error', code: 'forbidden', message: `Subscribe to ticket:${msg.ticket} first` });
        return this.host.setPresence(this, msg.ticket, msg.state === 'left' ? null : msg.state);
      }
    }
  }
}
