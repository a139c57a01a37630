import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the WAL back into the database file from a worker thread. Left to itself, SQLite runs
 * this checkpoint inside whichever commit pushes the WAL past 1000 pages: the event loop then
 * waits for thousands of page writes and two fsyncs, and every request queued behind that
 * commit waits too. Here the writer's own checkpoints are pushed far out (a safety net should
 * the worker stall) and a separate connection checkpoints PASSIVE (never blocking the writer or
 * the readers) a few times a second.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
const step = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err) }); } };
const timer = setInterval(step, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'now') { step(); parentPort.postMessage({ done: true }); }
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

export interface Checkpointer {
  /** Runs one checkpoint now and resolves when it is done (tests). */
  now(): Promise<void>;
  stop(): Promise<void>;
}

/** The pages the writer may gather in the WAL before it checkpoints by itself after all. */
export const WRITER_CHECKPOINT_PAGES = 20_000;

export function startCheckpointer(file: string, log: (msg: string) => void, everyMs = 200): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs } });
  worker.unref();
  const waiting: (() => void)[] = [];
  worker.on('message', (m: { error?: string; done?: boolean }) => {
    if (m.error) log(`WAL checkpoint failed: ${m.error}`);
    if (m.done) waiting.shift()?.();
  });
  worker.on('error', (err) => log(`WAL checkpointer stopped: ${String(err)}; the writer checkpoints by itself`));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      for (const w of waiting.splice(0)) w();
      resolve();
    }),
  );
  return {
    now: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        worker.postMessage('now');
      }),
    async stop() {
      // An unref'd worker does not keep the process alive: awaiting its exit with nothing else
      // pending would end the process right here, before the caller's cleanup and error output.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
