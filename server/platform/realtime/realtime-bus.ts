import { capabilitiesOf, notifyChannel } from '../db/dialect/sql.js';
import type { AnyDb, ChannelListener, Database } from '../db/dialect/types.js';
import { randomToken, uuidv7 } from '../ids.js';
import type { Push } from './realtime-hub.js';
import type { PresenceChange } from './presence-board.js';
import { findPayload, insertPayload, prunePayloads } from './realtime.repository.js';

export type BusMessage = { kind: 'push'; push: Push } | { kind: 'presence'; change: PresenceChange };

interface Envelope {
  /** The sending process; it has delivered the message to its own sockets already. */
  o: string;
  m?: BusMessage;
  /** Several messages, in order. */
  ms?: BusMessage[];
  /** Id of a parked payload (messages too big for NOTIFY). */
  ref?: string;
}

interface Log {
  error(obj: unknown, msg?: string): void;
}

const CHANNEL = 'tessera_realtime';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay clear of the limit. */
export const MAX_NOTIFY_BYTES = 7900;

/**
 * Fan-out between processes sharing one PostgreSQL database: NOTIFY to send, one LISTEN
 * connection per process to receive. On SQLite there is only one process, so nothing is sent.
 */
export class RealtimeBus {
  readonly origin = randomToken(6);
  private listener: ChannelListener | null = null;
  private lastPrune = 0;

  /** Whether other processes may be listening (PostgreSQL); on SQLite there are none. */
  reachesOthers(db: AnyDb): boolean {
    return capabilitiesOf(db).listenNotify;
  }

  /** Tells the other processes; inside a transaction the message leaves at commit. */
  async send(db: AnyDb, message: BusMessage): Promise<void> {
    if (!this.reachesOthers(db)) return;
    const body = JSON.stringify({ o: this.origin, m: message } satisfies Envelope);
    if (Buffer.byteLength(body) <= MAX_NOTIFY_BYTES) {
      await notifyChannel(db, CHANNEL, body);
      return;
    }
    const id = uuidv7();
    const now = new Date();
    await insertPayload(db, id, body, now);
    if (now.getTime() - this.lastPrune > 60_000) {
      this.lastPrune = now.getTime();
      await prunePayloads(db, new Date(now.getTime() - 5 * 60_000));
    }
    await notifyChannel(db, CHANNEL, JSON.stringify({ o: this.origin, ref: id } satisfies Envelope));
  }

  /**
   * Tells the other processes several messages, in order: as many to a NOTIFY as fit, a
   * message too big for one parked as `send` does.
   */
  async sendMany(db: AnyDb, messages: readonly BusMessage[]): Promise<void> {
    if (!this.reachesOthers(db)) return;
    const empty = Buffer.byteLength(JSON.stringify({ o: this.origin, ms: [] } satisfies Envelope));
    let parts: string[] = [];
    let size = empty;
    const flush = async () => {
      if (parts.length) await notifyChannel(db, CHANNEL, `{"o":${JSON.stringify(this.origin)},"ms":[${parts.join(',')}]}`);
      parts = [];
      size = empty;
    };
    for (const message of messages) {
      const part = JSON.stringify(message);
      const bytes = Buffer.byteLength(part) + 1;
      if (empty + bytes > MAX_NOTIFY_BYTES) {
        await flush();
        await this.send(db, message);
        continue;
      }
      if (size + bytes > MAX_NOTIFY_BYTES) await flush();
      parts.push(part);
      size += bytes;
    }
    await flush();
  }

  /** Starts receiving what other processes send (web role, PostgreSQL only). */
  async start(database: Database, handlers: { onMessage(m: BusMessage): void; onResync(): void }, log: Log): Promise<void> {
    if (!database.capabilities.listenNotify || !database.listen || this.listener) return;
    this.listener = await database.listen(CHANNEL, {
      onMessage: (raw) => {
        this.receive(database, raw, handlers.onMessage).catch((err: unknown) => log.error({ err }, 'realtime message dropped'));
      },
      onReconnect: handlers.onResync,
      onError: (err) => log.error({ err }, 'realtime listener connection failed; reconnecting'),
    });
  }

  async stop(): Promise<void> {
    const l = this.listener;
    this.listener = null;
    await l?.close();
  }

  private async receive(database: Database, raw: string, deliver: (m: BusMessage) => void): Promise<void> {
    const env = JSON.parse(raw) as Envelope;
    if (env.o === this.origin) return;
    if (env.m) return deliver(env.m);
    if (env.ms) {
      for (const m of env.ms) deliver(m);
      return;
    }
    if (!env.ref) return;
    const parked = await findPayload(database.db, env.ref);
    const inner = parked ? (JSON.parse(parked) as Envelope) : undefined;
    if (inner?.m) deliver(inner.m);
  }
}
