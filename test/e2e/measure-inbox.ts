// Measures the inbox with a seeded database: initial JS size and time until the first page of
// tickets is on screen (Chromium, headless). Not a test: run it by hand and quote the numbers.
//   node bin/run-ts.mjs test/e2e/measure-inbox.ts [tickets=2000] [runs=5]
//   node bin/run-ts.mjs test/e2e/measure-inbox.ts bench/out/bench-1000000.db [runs=5]   (a bench data set, copied)
import { launchBrowser } from './support/browser.js';
import { initialJs } from './support/bundle-size.js';
import { ADMIN, runCli, startServer } from './support/e2e-server.js';

const dataSet = process.argv[2]?.endsWith('.db') ? process.argv[2] : undefined;
const tickets = dataSet ? dataSet : Number(process.argv[2] ?? 2000);
const runs = Number(process.argv[3] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const size = initialJs();
console.log(`initial JS for the inbox: ${size.files.length} files, ${(size.rawBytes / 1024).toFixed(1)} KB raw, ${(size.gzipBytes / 1024).toFixed(1)} KB gzip`);

const t0 = Date.now();
const server = await startServer({}, dataSet ? { sqliteFile: dataSet } : {});
// A bench data set has staff without passwords: the measuring admin is added to it.
if (dataSet) await runCli(['create-admin', '--email', ADMIN.email, '--password', ADMIN.password], server.env);
else await runCli(['seed-demo', '--tickets', String(tickets)], server.env);
console.log(`${dataSet ? `copied ${dataSet}` : `seeded ${tickets} tickets`} and started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const login = await context.request.post(`${server.url}/api/v1/auth/login`, { data: { email: ADMIN.email, password: ADMIN.password } });
  if (!login.ok()) throw new Error(`login ${login.status()}`);
  // Server time of the requests the inbox waits for (warm).
  for (const path of ['/api/v1/me', '/api/v1/tickets?view=all_open&limit=50', '/api/v1/views']) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await context.request.get(`${server.url}${path}`);
      times.push(performance.now() - t);
    }
    console.log(`  GET ${path}: median ${median(times).toFixed(0)} ms`);
  }
  const results: { rows: number; dcl: number; script: number; task: number; heap: number }[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // Recorded inside the page: the first frame after ticket rows are in the DOM and the main thread is free.
    await page.addInitScript(() => {
      const w = window as unknown as { __rowsAt?: number };
      const mo = new MutationObserver(() => {
        if (w.__rowsAt === undefined && document.querySelector('tbody tr')) {
          w.__rowsAt = -1;
          mo.disconnect();
          requestAnimationFrame(() => setTimeout(() => (w.__rowsAt = performance.now()), 0));
        }
      });
      mo.observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${server.url}/views/all_open`, { waitUntil: 'commit' });
    await page.locator('tbody tr').first().waitFor();
    const rows = await page.waitForFunction(() => ((window as unknown as { __rowsAt?: number }).__rowsAt ?? -1) > 0).then(() => page.evaluate(() => (window as unknown as { __rowsAt: number }).__rowsAt));
    const dcl = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd);
    const m = Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics as { name: string; value: number }[]).map((x) => [x.name, x.value]));
    if (i > 0) results.push({ rows, dcl, script: (m.ScriptDuration ?? 0) * 1000, task: (m.TaskDuration ?? 0) * 1000, heap: (m.JSHeapUsedSize ?? 0) / 1024 / 1024 });
    await page.close();
  }
  console.log(`inbox (All open, ${tickets} tickets), median of ${runs} warm loads:`);
  console.log(`  first page of tickets interactive: ${median(results.map((r) => r.rows)).toFixed(0)} ms after navigation start`);
  console.log(`  DOMContentLoaded: ${median(results.map((r) => r.dcl)).toFixed(0)} ms; script ${median(results.map((r) => r.script)).toFixed(0)} ms; main-thread tasks ${median(results.map((r) => r.task)).toFixed(0)} ms; JS heap ${median(results.map((r) => r.heap)).toFixed(1)} MB`);
} finally {
  await browser.close();
  await server.stop();
}
