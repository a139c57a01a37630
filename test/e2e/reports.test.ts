import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import { ADMIN, ApiSession, startServer, type E2eServer } from './support/e2e-server.js';

let server: E2eServer;
let api: ApiSession;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const numbers: Record<string, number> = {};

// Three tickets on two days (UTC is the default time zone): 2 created on 11-03, 1 on 11-04; one resolved.
beforeAll(async () => {
  server = await startServer();
  api = await ApiSession.signIn(server.url, ADMIN.email, ADMIN.password);
  const ticket = (externalId: string, createdAt: string, over: Record<string, unknown> = {}) => ({
    externalId,
    subject: `Report e2e ${externalId}`,
    requester: { email: 'rita@customer.test' },
    status: 'open',
    createdAt,
    messages: [{ kind: 'customer', body: 'Hello', createdAt }],
    ...over,
  });
  const res = await api.call<{ imported: { externalId: string; number: number }[] }>('POST', '/api/v1/import/tickets', {
    tickets: [
      ticket('one', '2025-11-03T09:00:00.000Z', { status: 'resolved', statusChangedAt: '2025-11-03T11:00:00.000Z', priority: 'high' }),
      ticket('two', '2025-11-03T10:00:00.000Z'),
      ticket('three', '2025-11-04T10:00:00.000Z', { channel: 'chat' }),
    ],
  });
  for (const x of res.imported) numbers[x.externalId] = x.number;
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('reports dashboard in a browser', () => {
  it('shows charts and numbers, and every figure opens the tickets behind it', async () => {
    await signIn(page, server.url, ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.goto(`${server.url}/reports/volume?from=2025-11-03&to=2025-11-04`);
    const table = page.locator('table[data-table="volume"]');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    const firstDay = table.locator('tbody tr').first();
    await expect.poll(() => firstDay.locator('td').allTextContents()).toEqual(['2025-11-03', 'All tickets', '2', '1', '0']);
    expect(await table.locator('tfoot td').allTextContents()).toEqual(['Total', '', '3', '1', '0']);
    expect(await page.locator('canvas[data-chart="line"]').count()).toBe(1);
    await screenshot(page, 'reports-01-volume');

    const csv = page.getByRole('link', { name: 'Download CSV' });
    const csvText = await page.evaluate(async (href) => (await fetch(href)).text(), (await csv.getAttribute('href'))!);
    expect(csvText).toContain('2025-11-03,All tickets,2,1,0');

    await firstDay.locator('a[data-drill="created"]').click();
    await page.waitForURL(/\/tickets\?q=/);
    await expect.poll(() => page.locator('tr[data-number]').count()).toBe(2);
    expect(await page.locator(`tr[data-number="${numbers.one}"]`).count()).toBe(1);
    expect(await page.locator(`tr[data-number="${numbers.two}"]`).count()).toBe(1);
  });

  it('splits by channel as a stacked chart and switches reports by tab', async () => {
    await page.goto(`${server.url}/reports/volume?from=2025-11-03&to=2025-11-04`);
    await page.locator('select[name="by"]').selectOption('channel');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('canvas[data-chart="stacked"]').count()).toBe(1);
    await expect.poll(() => page.locator('table[data-table="volume"] tbody tr').count()).toBe(2);
    await page.getByRole('link', { name: 'Speed' }).click();
    await expect.poll(() => page.locator('table[data-table="speed"] tfoot td').nth(5).textContent()).toBe('1');
    // The chart draws response and resolution times (minutes), not the ticket counts beside them.
    const series = await page.locator('canvas[aria-label="First response and resolution time"]').getAttribute('data-series');
    expect(series?.split('|')).toEqual(['First response, median (min)', 'First response, 90th percentile (min)', 'Resolution, median (min)', 'Resolution, 90th percentile (min)']);
    await screenshot(page, 'reports-02-speed');
    expect(pageErrors).toEqual([]);
  });
});
