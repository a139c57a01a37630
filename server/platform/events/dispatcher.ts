import type { AnyDb } from '../db/dialect/types.js';
import type { Clock } from '../clock.js';
import { withSavepoint } from '../db/dialect/durable.js';
import { anyPending, claimPendingEvents, markDispatched, pruneDispatched, type OutboxEvent } from './outbox.repository.js';

export type EventHandler = (event: OutboxEvent, db: AnyDb) => Promise<void> | void;
export type BatchHandler = (events: OutboxEvent[], db: AnyDb) => Promise<void>;

interface Log {
  error(obj: unknown, msg?: string): void;
}

/**
 * Delivers outbox events to subscribers after their transaction commits. Undelivered rows
 * survive a crash and are picked up by the next drain (at start and after each commit).
 * A failing subscriber is logged and does not hold back the others.
 */
/** A subscriber of one event name: called per event, or with each run of them (`subscribeRun`). */
type Subscriber = { one: EventHandler; run?: never } | { run: BatchHandler; one?: never };

export class EventDispatcher {
  private readonly handlers = new Map<string, Subscriber[]>();
  private readonly batchHandlers: { names: ReadonlySet<string>; handler: BatchHandler }[] = [];
  private running: Promise<void> | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  private again = false;
  private lastPrune = 0;

  constructor(
    private readonly db: AnyDb,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  subscribe(name: string, handler: EventHandler): void {
    this.add(name, { one: handler });
  }

  /**
   * Like `subscribe`, but called once per delivered batch with all of the batch's events of this
   * name, in order, where the first of them comes: the subscriber reads and writes for all of
   * them at once (a batch create's new tickets, a busy second's). Events of other names keep
   * their places for other subscribers, so this is for events whose order against the
   * subscriber's other events does not matter, or that begin their subject's history
   * (`ticket.created` comes before anything else of its ticket).
   */
  subscribeRun(name: string, handler: BatchHandler): void {
    this.add(name, { run: handler });
  }

  private add(name: string, subscriber: Subscriber): void {
    const list = this.handlers.get(name) ?? [];
    list.push(subscriber);
    this.handlers.set(name, list);
  }

  /**
   * Once per delivered batch, after the per-event subscribers, with the batch's events of these
   * names (in order). For work that depends only on the current state of what the events name,
   * done once however many of them did: one change is often several events.
   */
  subscribeBatch(names: readonly string[], handler: BatchHandler): void {
    this.batchHandlers.push({ names: new Set(names), handler });
  }

  private readonly starters: BatchHandler[] = [];

  /**
   * Once per batch, before any subscriber, in the batch's transaction, with all its events: to
   * take the locks the subscribers will need in a fixed order (a failure here holds the batch
   * back, to be tried again).
   */
  beforeDelivery(start: BatchHandler): void {
    this.starters.push(start);
  }

  private readonly finishers: ((db: AnyDb) => Promise<void>)[] = [];

  /**
   * Once per delivered batch, after every subscriber, in the batch's transaction: for what
   * subscribers gathered along the way and send as one (realtime pushes for other processes).
   */
  beforeCommit(finish: (db: AnyDb) => Promise<void>): void {
    this.finishers.push(finish);
  }

  private readonly followers: (() => void)[] = [];

  /** Also wakes `fn` (the job runner) whenever a commit wakes the dispatcher. */
  onKick(fn: () => void): void {
    this.followers.push(fn);
  }

  /** Wakes the job runner without a look at the outbox (a commit that wrote jobs, no events). */
  wakeWorkers(): void {
    for (const f of this.followers) f();
  }

  /**
   * After a commit. Kicks that come together (the units of one shared commit, each told it is
   * stored) start one look at the outbox, on the next turn of the event loop, not one each.
   */
  kick(): void {
    for (const f of this.followers) f();
    if (this.running) {
      this.again = true;
      return;
    }
    this.scheduled ??= setImmediate(() => this.start());
  }

  private start(): void {
    // idle() starts at once: a look still scheduled must not run later (after a shutdown, say).
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when every event committed so far has been delivered (tests, shutdown). */
  async idle(): Promise<void> {
    for (const f of this.followers) f();
    this.start();
    while (this.running) await this.running;
  }

  /** Whether an event waits for delivery (benchmarks wait for the work a run set off). */
  hasPending(): Promise<boolean> {
    return anyPending(this.db);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while ((await this.drainBatch()) > 0) {
          /* keep draining */
        }
        await this.pruneNowAndThen();
      } catch (err) {
        this.log.error({ err }, 'event dispatch failed');
      }
    } while (this.again);
  }

  /** Delivered events are kept a day for inspection, then removed so the outbox stays small. */
  private async pruneNowAndThen(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPrune < 3600_000) return;
    this.lastPrune = now;
    await pruneDispatched(this.db, new Date(now - 86400_000));
  }

  private async drainBatch(): Promise<number> {
    // Most wake-ups find the outbox drained already; a plain read spares them the write lock.
    if (!(await anyPending(this.db))) return 0;
    return this.db.transaction().execute(async (trx) => {
      const events = await claimPendingEvents(trx, 200);
      for (const start of this.starters) await start(events, trx);
      const byName = new Map<string, OutboxEvent[]>();
      for (const event of events) {
        const list = byName.get(event.name);
        if (list) list.push(event);
        else byName.set(event.name, [event]);
      }
      const handlersOf = (name: string) => [...(this.handlers.get(name) ?? []), ...(this.handlers.get('*') ?? [])];
      try {
        // Subscribers almost never fail, and a savepoint around each of them (a dozen per new
        // ticket) cost more than many of them do; so the whole batch runs under one.
        await withSavepoint(trx, 'delivery', async () => {
          for (const event of events) {
            const all = byName.get(event.name)!;
            for (const sub of handlersOf(event.name)) {
              if (!sub.run) await sub.one(event, trx);
              else if (all[0] === event) await sub.run(all, trx);
            }
          }
        });
      } catch {
        // Something failed: undo the batch's deliveries and run them again one savepoint per
        // handler and event, so the failing one is logged and rolled back alone (on PostgreSQL a
        // failed statement would otherwise abort the transaction and hold every later event
        // back). Handlers are idempotent already: delivery is at least once.
        for (const event of events) {
          for (const sub of handlersOf(event.name)) {
            try {
              await withSavepoint(trx, 'subscriber', async () => (sub.run ? sub.run([event], trx) : sub.one(event, trx)));
            } catch (err) {
              this.log.error({ err, event: event.name, id: event.id }, 'event subscriber failed');
            }
          }
        }
      }
      for (const { names, handler } of this.batchHandlers) {
        const mine = events.filter((e) => names.has(e.name));
        if (!mine.length) continue;
        try {
          await withSavepoint(trx, 'subscriber', async () => handler(mine, trx));
        } catch (err) {
          this.log.error({ err, events: mine.length }, 'event batch subscriber failed');
        }
      }
      for (const finish of this.finishers) {
        try {
          await withSavepoint(trx, 'subscriber', () => finish(trx));
        } catch (err) {
          this.log.error({ err, events: events.length }, 'event batch finisher failed');
        }
      }
      await markDispatched(trx, events.map((e) => e.id), this.clock.now());
      return events.length;
    });
  }
}

