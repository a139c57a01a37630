import { z } from 'zod';
import { mergeSearchIndexStep } from '../db/dialect/sql.js';
import type { AnyDb } from '../db/dialect/types.js';
import { defineJob, enqueue, type JobDefinition } from '../jobs/define-job.js';

// About 40 ms of the writer per step on this project's reference machine; other writes go between steps.
const STEP_PAGES = 200;
const payload = z.object({ continued: z.boolean().optional() });

/**
 * Merges the full-text index into one b-tree, one short write transaction at a time. FTS5's
 * automerge keeps a growing index in several b-trees per level, and a newest-first walk for a
 * common word reads every one of them from its end: at 100k tickets the walk for "please" took
 * 108 µs over the b-trees a bulk load left and 38 µs after the merge. Resolves true once merged, false
 * when `deadline` (epoch ms) came first; `continued` carries on a merge an earlier call began.
 */
export async function compactSearchIndex(db: AnyDb, opts: { deadline?: number; continued?: boolean } = {}): Promise<boolean> {
  // Only the first step is negative: a later one would fold b-trees written meanwhile into the
  // merge and start it again (FTS5 documentation, 'merge' command).
  for (let step = 0; ; step++) {
    if (!(await mergeSearchIndexStep(db, step === 0 && !opts.continued ? -STEP_PAGES : STEP_PAGES))) return true;
    if (opts.deadline !== undefined && Date.now() >= opts.deadline) return false;
    // Lets the requests that queued behind this step's transaction have the writer first.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export const SEARCH_COMPACTION_EVERY_MS = 24 * 3600_000;

/**
 * The daily merge of the full-text index, outside any transaction (each step commits alone).
 * A run works for `sliceMs` and leaves the rest to a continuation job queued behind what is
 * due, so on SQLite's one job loop the mail and notifications waiting meanwhile go first.
 */
export function searchCompactionJob(sliceMs = 1000): JobDefinition<typeof payload> {
  const job: JobDefinition<typeof payload> = defineJob({
    name: 'search.compact',
    payload,
    attempts: 1,
    ownTransactions: true,
    handler: async (ctx, { continued }) => {
      const done = await compactSearchIndex(ctx.db, { deadline: Date.now() + sliceMs, continued: continued ?? false });
      if (!done) await enqueue(ctx, job, { continued: true });
    },
  });
  return job;
}
