import type { z } from 'zod';
import type { Ctx } from '../context.js';
import { insertJobs } from './jobs.repository.js';

export interface JobDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  payload: S;
  /** Runs at least once per enqueue; must be idempotent. The ctx has its own transaction. */
  handler: (ctx: Ctx, payload: z.output<S>) => Promise<void>;
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before retry n (1-based). */
  backoffMs: (attempt: number) => number;
  /**
   * The handler opens its own transactions: ctx.db is the database, not a transaction. For jobs
   * that talk to the network (SMTP, IMAP), which must not hold a transaction (on SQLite: the one
   * writer) while they wait, and for work that commits durably on its own (`durableWrite`).
   */
  ownTransactions?: boolean | undefined;
  /**
   * The handler keeps its own failures apart (a savepoint of its own, and a recorded outcome),
   * so jobs sharing a commit need no savepoint around it; should it throw after all, the shared
   * commit is given up and each job of the batch runs again alone.
   */
  isolated?: boolean | undefined;
  /**
   * Jobs that wait on another system (a webhook receiver, a mail relay, an IMAP server) run in a
   * lane of their own, beside the rest: an endpoint answering after its timeout must not hold up
   * routing, SLA clocks and notifications queued behind its deliveries. Unset: the local lane.
   */
  lane?: string | undefined;
}

export function defineJob<S extends z.ZodTypeAny>(def: {
  name: string;
  payload: S;
  handler: (ctx: Ctx, payload: z.output<S>) => Promise<void>;
  attempts?: number;
  backoffMs?: (attempt: number) => number;
  ownTransactions?: boolean;
  isolated?: boolean;
  lane?: string;
}): JobDefinition<S> {
  return {
    attempts: 5,
    // 10 s, 40 s, 2.5 min, 10 min, ... capped at an hour.
    backoffMs: (n) => Math.min(3600_000, 10_000 * 4 ** (n - 1)),
    ...def,
  };
}

/**
 * Enqueues a job in the caller's transaction, so it exists exactly when the change that caused
 * it committed. A `uniqueKey` deduplicates jobs that are still waiting.
 */
export async function enqueue<S extends z.ZodTypeAny>(
  ctx: Ctx,
  job: JobDefinition<S>,
  payload: z.input<S>,
  opts: { runAt?: Date; uniqueKey?: string } = {},
): Promise<void> {
  await enqueueMany(ctx, job, [{ payload, ...opts }]);
}

/** `enqueue` for many jobs of one kind at once (a run of events each causing one). */
export async function enqueueMany<S extends z.ZodTypeAny>(ctx: Ctx, job: JobDefinition<S>, items: readonly { payload: z.input<S>; runAt?: Date; uniqueKey?: string }[]): Promise<void> {
  const rows = items.map((i) => ({ name: job.name, payload: job.payload.parse(i.payload) as unknown, runAt: i.runAt ?? ctx.now, maxAttempts: job.attempts, uniqueKey: i.uniqueKey }));
  await insertJobs(ctx.db, rows, ctx.now);
}
