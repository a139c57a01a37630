// Measures the inbox with a seeded database: initial JS size and time until the first page of
// tickets is on screen (Chromium, headless). Not a test: run it by hand and quote the numbers.
//   node bin/run-ts.mjs test/e2e/measure-inbox.ts [tickets=2000] [runs=5]
//   node bin/run-ts.mjs test/e2e/measure-inbox.ts bench/out/bench-1000000.db [runs=5]   (a bench data set, copied)
// DEBUG_LIVE=1 prints, for each live probe, the requests and frames after its ticket.created frame.
import type { BrowserContext } from 'playwright-core';
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
  const live = await measureLiveUpdate(context, server.url, runs * 2);
  console.log(`inbox (All open, ${tickets} tickets), median of ${runs} warm loads:`);
  console.log(`  first page of tickets interactive: ${median(results.map((r) => r.rows)).toFixed(0)} ms after navigation start`);
  console.log(`  DOMContentLoaded: ${median(results.map((r) => r.dcl)).toFixed(0)} ms; script ${median(results.map((r) => r.script)).toFixed(0)} ms; main-thread tasks ${median(results.map((r) => r.task)).toFixed(0)} ms; JS heap ${median(results.map((r) => r.heap)).toFixed(1)} MB`);
  console.log(`  a new ticket in the open list, from its WebSocket frame to its row on screen: median ${median(live).toFixed(0)} ms, max ${Math.max(...live).toFixed(0)} ms (${live.length} tickets)`);
} finally {
  await browser.close();
  await server.stop();
}

/**
 * Tickets created through the API while the inbox is open: the time from the WebSocket frame
 * of ticket.created reaching the page to its row in the list (the refetch and the render).
 */
async function measureLiveUpdate(context: BrowserContext, url: string, count: number): Promise<number[]> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __frames: [number, string][]; __rows: Record<string, number> };
    w.__frames = [];
    w.__rows = {};
    performance.setResourceTimingBufferSize(100_000);
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        this.addEventListener('message', (ev) => typeof ev.data === 'string' && w.__frames.push([performance.now(), ev.data]));
      }
    };
    new MutationObserver(() => {
      for (const tr of document.querySelectorAll('tbody tr[data-number]')) {
        const n = (tr as HTMLElement).dataset.number!;
        w.__rows[n] ??= performance.now();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${url}/views/all_open`);
  await page.locator('tbody tr').first().waitFor();
  await page.locator('.live-live').waitFor();
  const csrf = ((await (await context.request.get(`${url}/api/v1/me`)).json()) as { csrfToken: string }).csrfToken;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    await page.waitForTimeout(700);
    const res = await context.request.post(`${url}/api/v1/tickets`, {
      headers: { 'x-csrf-token': csrf },
      data: { subject: `Live probe ${i}`, requester: { email: 'live.probe@example.test', name: 'Live Probe' }, message: { body: 'Measuring the live list.' } },
    });
    const n = ((await res.json()) as { number: number }).number;
    await page.locator(`tr[data-number="${n}"]`).waitFor();
    const [frameAt, rowAt, dbg] = await page.evaluate((num) => {
      const w = window as unknown as { __frames: [number, string][]; __rows: Record<string, number> };
      const frame = w.__frames.find(([, d]) => d.includes('ticket.created') && d.includes(`"number":${num}`));
      const f = frame?.[0] ?? NaN;
      const res = performance.getEntriesByType('resource').filter((e) => e.startTime > f - 1 && e.name.includes('/api/v1/')).map((e) => `${e.name.replace(/.*\/api\/v1\//, '').slice(0, 20)} ${(e.startTime - f).toFixed(0)}..${((e as PerformanceResourceTiming).responseEnd - f).toFixed(0)}`);
      const frames = w.__frames.filter(([t]) => t >= f - 1).map(([t, d]) => `${(t - f).toFixed(0)}:${d.slice(0, 40)}`);
      return [f, w.__rows[String(num)] ?? NaN, JSON.stringify({ res, frames, row: (w.__rows[String(num)] ?? NaN) - f })] as const;
    }, n);
    if (process.env.DEBUG_LIVE) console.log(dbg);
    out.push(rowAt - frameAt);
  }
  await page.close();
  return out;
}
