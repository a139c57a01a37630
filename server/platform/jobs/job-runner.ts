import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { systemActor, type EventKick } from '../context.js';
import { withSavepoint } from '../db/dialect/durable.js';
import type { AnyDb } from '../db/dialect/types.js';
import { randomToken } from '../ids.js';
import type { JobDefinition } from './define-job.js';
import { anyDue, claimDueJobs, completeJob, failJob, insertJob, pruneDoneJobs, rescheduleJob, type JobNames, type JobRow } from './jobs.repository.js';

interface Log {
  error(obj: unknown, msg?: string): void;
  warn?(obj: unknown, msg?: string): void;
}

interface Schedule {
  job: JobDefinition;
  everyMs: number;
  /** The first run after the schedule is first planned; by default at once. */
  firstAfterMs: number;
}

export interface RunnerOptions {
  pollMs: number;
  leaseMs: number;
  /** Jobs claimed at a time by one loop. */
  batch: number;
  /** Loops working at once on a backlog (1 on SQLite, where writers queue for the one writer anyway). */
  concurrency: number;
}

export const DEFAULT_OPTIONS: RunnerOptions = { pollMs: 1000, leaseMs: 5 * 60_000, batch: 20, concurrency: 1 };

const LOCAL = 'local';

/** The loops working on one lane's job kinds (see JobDefinition.lane), and its poll timer. */
interface Lane {
  name: string;
  loops: Set<Promise<void>>;
  again: boolean;
  timer: NodeJS.Timeout | null;
}

const newLane = (name: string): Lane => ({ name, loops: new Set(), again: false, timer: null });

/**
 * The worker loop: claims due jobs (SKIP LOCKED on PostgreSQL, so many workers share a queue),
 * runs each in its own transaction, retries failures with backoff, and re-plans periodic jobs.
 * Periodic jobs are rows with deterministic unique keys, so many processes never double-schedule.
 */
export class JobRunner {
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly schedules: Schedule[] = [];
  private readonly workerId = `${hostname()}:${process.pid}:${randomToken(4)}`;
  private readonly lanes = new Map<string, Lane>([[LOCAL, newLane(LOCAL)]]);
  private stopped = true;
  private lastPrune = 0;

  constructor(
    private readonly db: AnyDb,
    private readonly clock: Clock,
    private readonly events: EventKick,
    private readonly log: Log,
    private readonly opts: RunnerOptions = DEFAULT_OPTIONS,
  ) {}

  register(job: JobDefinition): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} registered twice`);
    this.jobs.set(job.name, job);
    if (job.lane && !this.lanes.has(job.lane)) this.lanes.set(job.lane, newLane(job.lane));
  }

  /** The local lane takes every kind no other lane does (unknown names too: it records them as failed). */
  private namesOf(lane: Lane): JobNames {
    const laned = [...this.jobs.values()].filter((j) => j.lane && j.lane !== LOCAL);
    if (lane.name === LOCAL) return { except: laned.map((j) => j.name) };
    return { only: laned.filter((j) => j.lane === lane.name).map((j) => j.name) };
  }

  /**
   * Runs `job` every `everyMs` (its payload must accept `{}`). `firstAfterMs` puts off the first
   * run of a schedule no process has planned yet (later starts keep the planned run).
   */
  every(job: JobDefinition, everyMs: number, opts: { firstAfterMs?: number } = {}): void {
    this.register(job);
    this.schedules.push({ job, everyMs, firstAfterMs: opts.firstAfterMs ?? 0 });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.planSchedules(false);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
    }
    await this.settled();
  }

  private async settled(): Promise<void> {
    for (;;) {
      const running = [...this.lanes.values()].flatMap((lane) => [...lane.loops]);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** Wakes the loops now (after a commit that enqueued work). */
  kick(): void {
    for (const lane of this.lanes.values()) this.kickLane(lane);
  }

  private kickLane(lane: Lane): void {
    if (lane.loops.size > 0) {
      lane.again = true;
      return;
    }
    this.spawn(lane);
  }

  /**
   * Starts a worker loop. One runs while anything is due; a loop that claims a full batch starts
   * another, up to `concurrency`, so a backlog is worked on by several at once where the store
   * lets writers overlap (PostgreSQL: each waits on its own round trips; claims skip each
   * other's rows). The poll timer runs once the last loop has found nothing due.
   */
  private spawn(lane: Lane): void {
    if (lane.loops.size >= this.opts.concurrency) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    const loop: Promise<void> = this.loop(lane).finally(() => {
      lane.loops.delete(loop);
      if (!this.stopped && lane.loops.size === 0) lane.timer = setTimeout(() => this.kickLane(lane), this.opts.pollMs);
    });
    lane.loops.add(loop);
  }

  /** Resolves once the running loops have worked off everything due (benchmarks); drains when stopped. */
  async idle(): Promise<void> {
    if (this.stopped) {
      await this.drain();
      return;
    }
    for (;;) {
      await this.settled();
      if (!(await anyDue(this.db, this.clock.now()))) return;
      this.kick();
    }
  }

  /** Runs every job that is due now, until none is left (tests, CLI). */
  async drain(): Promise<number> {
    await this.settled();
    let total = 0;
    for (let n = await this.runBatch(undefined); n > 0; n = await this.runBatch(undefined)) total += n;
    return total;
  }

  private async loop(lane: Lane): Promise<void> {
    do {
      lane.again = false;
      try {
        while (!this.stopped && (await this.runBatch(lane)) > 0) {
          /* keep going while work is due */
        }
        if (lane.name === LOCAL) await this.maintain();
      } catch (err) {
        this.log.error({ err, lane: lane.name }, 'job loop failed');
      }
    } while (lane.again && !this.stopped);
  }

  private async maintain(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPrune < 3600_000) return;
    this.lastPrune = now;
    await pruneDoneJobs(this.db, new Date(now - 7 * 86400_000));
  }

  /**
   * One claimed batch of a lane's jobs; no lane: of every kind (drain). In a lane, a full batch
   * may start another loop (drain counts its own work, so it does not).
   */
  private async runBatch(lane: Lane | undefined): Promise<number> {
    const names = lane && this.namesOf(lane);
    // Most wake-ups find nothing due; a plain read spares them the write lock.
    if (!(await anyDue(this.db, this.clock.now(), names))) return 0;
    const claimed = await this.db.transaction().execute((trx) => claimDueJobs(trx, this.workerId, this.clock.now(), this.opts.leaseMs, this.opts.batch, names));
    if (lane && claimed.length === this.opts.batch && !this.stopped) this.spawn(lane);
    const shared = claimed.filter((row) => this.jobs.has(row.name) && !this.jobs.get(row.name)!.ownTransactions);
    if (shared.length > 1) await this.runTogether(shared);
    else if (shared.length === 1) await this.runOne(shared[0]!);
    for (const row of claimed) if (!shared.includes(row)) await this.runOne(row);
    return claimed.length;
  }

  /**
   * Jobs that work in the runner's transaction share one commit, each in its own savepoint (an
   * isolated job keeps its failures apart itself): a failing job rolls back alone and is
   * recorded after the commit. Mail processing is mostly
   * short writes, and one commit per job was most of its cost.
   */
  private async runTogether(rows: JobRow[]): Promise<void> {
    const failures: { row: JobRow; err: unknown }[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        failures.length = 0;
        for (const row of rows) {
          // Throws out of the transaction: the batch is rolled back and each job runs again alone.
          if (this.jobs.get(row.name)!.isolated) {
            await this.work(row, trx);
            continue;
          }
          try {
            await withSavepoint(trx, 'job', () => this.work(row, trx));
          } catch (err) {
            failures.push({ row, err });
          }
        }
      });
    } catch {
      // The shared commit failed: nothing of the batch was kept, so each job runs again alone.
      for (const row of rows) await this.runOne(row);
      return;
    }
    this.events.kick();
    for (const { row, err } of failures) await this.recordFailure(row, err);
  }

  private async runOne(row: JobRow): Promise<void> {
    const job = this.jobs.get(row.name);
    if (!job) {
      await failJob(this.db, row.id, `no handler registered for ${row.name}`, new Date(this.clock.now().getTime() + 60_000), this.clock.now());
      return;
    }
    try {
      if (job.ownTransactions) await this.work(row, this.db);
      else await this.db.transaction().execute((trx) => this.work(row, trx));
      this.events.kick();
    } catch (err) {
      await this.recordFailure(row, err);
    }
  }

  /** Runs the handler on `db` and marks the job done (or plans the next run of a periodic one). */
  private async work(row: JobRow, db: AnyDb): Promise<void> {
    const job = this.jobs.get(row.name)!;
    const now = () => this.clock.now();
    const schedule = this.schedules.find((s) => s.job.name === row.name);
    const payload: unknown = job.payload.parse(row.payload);
    await job.handler({ actor: systemActor(`job:${row.name}`), requestId: row.id, now: now(), db, events: this.events }, payload);
    if (schedule && row.uniqueKey) await rescheduleJob(db, row.id, new Date(now().getTime() + schedule.everyMs), now());
    else await completeJob(db, row.id, now());
  }

  private async recordFailure(row: JobRow, err: unknown): Promise<void> {
    const job = this.jobs.get(row.name)!;
    const now = this.clock.now();
    const schedule = this.schedules.find((s) => s.job.name === row.name);
    const message = err instanceof Error ? err.message : String(err);
    const retry = row.attempts < row.maxAttempts ? new Date(now.getTime() + job.backoffMs(row.attempts)) : null;
    await failJob(this.db, row.id, message, retry, now);
    if (!retry) this.log.error({ err, job: row.name, id: row.id }, 'job failed for good');
    if (!retry && schedule && row.uniqueKey) await this.planOne(schedule, true);
  }

  private async planSchedules(afterRun: boolean): Promise<void> {
    for (const s of this.schedules) await this.planOne(s, afterRun);
  }

  private async planOne(s: Schedule, afterRun: boolean): Promise<void> {
    const now = this.clock.now();
    const runAt = new Date(now.getTime() + (afterRun ? s.everyMs : s.firstAfterMs));
    await insertJob(this.db, { name: s.job.name, payload: {}, runAt, maxAttempts: s.job.attempts, uniqueKey: `every:${s.job.name}` }, now);
  }
}
