import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { systemActor, type Ctx, type EventKick } from '../context.js';
import type { AnyDb } from '../db/dialect/types.js';
import { randomToken } from '../ids.js';
import type { JobDefinition } from './define-job.js';
import { claimDueJobs, completeJob, failJob, insertJob, pruneDoneJobs, rescheduleJob, type JobRow } from './jobs.repository.js';

interface Log {
  error(obj: unknown, msg?: string): void;
  warn?(obj: unknown, msg?: string): void;
}

interface Schedule {
  job: JobDefinition;
  everyMs: number;
}

/**
 * The worker loop: claims due jobs (SKIP LOCKED on PostgreSQL, so many workers share a queue),
 * runs each in its own transaction, retries failures with backoff, and re-plans periodic jobs.
 * Periodic jobs are rows with deterministic unique keys, so many processes never double-schedule.
 */
export class JobRunner {
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly schedules: Schedule[] = [];
  private readonly workerId = `${hostname()}:${process.pid}:${randomToken(4)}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private lastPrune = 0;

  constructor(
    private readonly db: AnyDb,
    private readonly clock: Clock,
    private readonly events: EventKick,
    private readonly log: Log,
    private readonly opts: { pollMs: number; leaseMs: number; batch: number } = { pollMs: 1000, leaseMs: 5 * 60_000, batch: 20 },
  ) {}

  register(job: JobDefinition): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} registered twice`);
    this.jobs.set(job.name, job);
  }

  /** Runs `job` every `everyMs` (its payload must accept `{}`). */
  every(job: JobDefinition, everyMs: number): void {
    this.register(job);
    this.schedules.push({ job, everyMs });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.planSchedules(false);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running;
  }

  /** Wakes the loop now (after a commit that enqueued work). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (!this.stopped) this.timer = setTimeout(() => this.kick(), this.opts.pollMs);
    });
  }

  /** Runs every job that is due now, until none is left (tests, CLI). */
  async drain(): Promise<number> {
    while (this.running) await this.running;
    let total = 0;
    for (let n = await this.runBatch(); n > 0; n = await this.runBatch()) total += n;
    return total;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.runBatch()) > 0) {
          /* keep going while work is due */
        }
        await this.maintain();
      } catch (err) {
        this.log.error({ err }, 'job loop failed');
      }
    } while (this.again && !this.stopped);
  }

  private async maintain(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPrune < 3600_000) return;
    this.lastPrune = now;
    await pruneDoneJobs(this.db, new Date(now - 7 * 86400_000));
  }

  private async runBatch(): Promise<number> {
    const claimed = await this.db.transaction().execute((trx) => claimDueJobs(trx, this.workerId, this.clock.now(), this.opts.leaseMs, this.opts.batch));
    for (const row of claimed) await this.runOne(row);
    return claimed.length;
  }

  private async runOne(row: JobRow): Promise<void> {
    const job = this.jobs.get(row.name);
    const now = () => this.clock.now();
    const schedule = this.schedules.find((s) => s.job.name === row.name);
    if (!job) {
      await failJob(this.db, row.id, `no handler registered for ${row.name}`, new Date(now().getTime() + 60_000), now());
      return;
    }
    try {
      const payload: unknown = job.payload.parse(row.payload);
      const ctxOn = (db: AnyDb): Ctx => ({ actor: systemActor(`job:${row.name}`), requestId: row.id, now: now(), db, events: this.events });
      const finish = (db: AnyDb) =>
        schedule && row.uniqueKey ? rescheduleJob(db, row.id, new Date(now().getTime() + schedule.everyMs), now()) : completeJob(db, row.id, now());
      if (job.ownTransactions) {
        await job.handler(ctxOn(this.db), payload);
        await finish(this.db);
      } else {
        await this.db.transaction().execute(async (trx) => {
          await job.handler(ctxOn(trx), payload);
          await finish(trx);
        });
      }
      this.events.kick();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const retry = row.attempts < row.maxAttempts ? new Date(now().getTime() + job.backoffMs(row.attempts)) : null;
      await failJob(this.db, row.id, message, retry, now());
      if (!retry) this.log.error({ err, job: row.name, id: row.id }, 'job failed for good');
      if (!retry && schedule && row.uniqueKey) await this.planOne(schedule, true);
    }
  }

  private async planSchedules(afterRun: boolean): Promise<void> {
    for (const s of this.schedules) await this.planOne(s, afterRun);
  }

  private async planOne(s: Schedule, afterRun: boolean): Promise<void> {
    const now = this.clock.now();
    const runAt = afterRun ? new Date(now.getTime() + s.everyMs) : now;
    await insertJob(this.db, { name: s.job.name, payload: {}, runAt, maxAttempts: s.job.attempts, uniqueKey: `every:${s.job.name}` }, now);
  }
}
