import type { Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** What the engine can do; code branches on these flags, never on driver classes. */
export interface DialectCapabilities {
  skipLocked: boolean;
  listenNotify: boolean;
  concurrentWriters: boolean;
  transactionalDdl: boolean;
}

// Repositories narrow this to their own table types; no module sees another's tables.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

export interface Database {
  db: AnyDb;
  dialect: DialectName;
  capabilities: DialectCapabilities;
  /** Short human description for logs: file path or host/database. */
  describe: string;
  /**
   * A dedicated connection that LISTENs on `channel` (only where `capabilities.listenNotify`).
   * It reconnects by itself; `onReconnect` tells the caller that notifications may have been missed.
   */
  listen?(channel: string, handlers: ChannelHandlers): Promise<ChannelListener>;
  /** SQLite online backup to a file; PostgreSQL answers with pg_dump guidance. */
  backup(toFile: string): Promise<void>;
  close(): Promise<void>;
}

export interface ChannelHandlers {
  onMessage(payload: string): void;
  onReconnect?(): void;
  onError?(err: Error): void;
}

export interface ChannelListener {
  close(): Promise<void>;
}
