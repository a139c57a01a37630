import { open } from 'node:fs/promises';
import type { AnyDb } from './types.js';

/**
 * Puts committed SQLite WAL frames on disk from the thread pool, so the event loop never waits
 * for the disk. A commit under `synchronous = NORMAL` writes its frames to the WAL without
 * syncing; an fdatasync of that file afterwards makes them (and every earlier commit) durable,
 * which is what FULL would have done inside the commit, blocking. Checkpoints sync the WAL
 * before they copy it, so frames moved into the database file are covered too. Callers that
 * arrive while a sync runs share the next one: a burst costs a sync or two, not one each.
 */
export class WalSync {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** Syncs completed (tests check that acknowledged writes waited for one). */
  completed = 0;

  constructor(private readonly walFile: string) {}

  /** Resolves when everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (!this.running) return this.start();
    // The sync under way may have begun before the caller's commit: wait for the one after it.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.running ?? this.start();
      });
    return this.queued;
  }

  private start(): Promise<void> {
    const p: Promise<void> = this.flush().finally(() => {
      if (this.running === p) this.running = null;
    });
    this.running = p;
    return p;
  }

  private async flush(): Promise<void> {
    // Opened each time: the WAL keeps its inode while the database is open, but a handle kept
    // across a close and reopen would sync a file nobody writes any more.
    const handle = await open(this.walFile, 'r');
    try {
      await handle.datasync();
      this.completed += 1;
    } finally {
      await handle.close();
    }
  }
}

const syncs = new WeakMap<object, WalSync>();

export function enableWalSync(db: AnyDb, databaseFile: string): void {
  syncs.set(db, new WalSync(`${databaseFile}-wal`));
}

/** The WAL sync of a file database (none for an in-memory one). */
export const walSyncFor = (db: AnyDb): WalSync | undefined => syncs.get(db);
