import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, signIn } from './support/browser.js';
import { openAdminBrowser, type AdminBrowser } from './support/admin-browser.js';
import { ADMIN, type ApiSession, type E2eServer } from './support/e2e-server.js';

let ui: AdminBrowser;
let server: E2eServer;
let api: ApiSession;
let page: Page;

beforeAll(async () => {
  ui = await openAdminBrowser();
  ({ server, api, page } = ui);
});

afterAll(async () => {
  await ui?.close();
});

describe('SLA in the workspace', () => {
  it('shows the countdown in the list and on the ticket, red once breached, and the policies to an admin', async () => {
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    const imported = await api.call<{ imported: { number: number }[] }>('POST', '/api/v1/import/tickets', {
      tickets: [{ subject: 'Server room flooded', priority: 'urgent', status: 'open', requester: { email: 'flood@customer.test' }, createdAt: threeHoursAgo, messages: [{ kind: 'customer', body: 'Water everywhere', createdAt: threeHoursAgo }] }],
    });
    const late = imported.imported[0]!.number;
    const fresh = await api.call<{ number: number }>('POST', '/api/v1/tickets', { subject: 'Printer jammed', priority: 'urgent', requester: { email: 'jam@customer.test' }, message: { body: 'Paper stuck' } });
    await expect.poll(async () => (await api.call<{ sla: { dueAt: string } | null }>('GET', `/api/v1/tickets/${late}`)).sla?.dueAt ?? null, { timeout: 15_000 }).not.toBeNull();
    await api.call('POST', '/api/v1/sla/sweep', {});

    await signIn(page, server.url, ADMIN.email, ADMIN.password);
    await page.goto(`${server.url}/views/overdue`);
    const row = page.locator('tr', { hasText: 'Server room flooded' });
    const badge = row.locator('[data-sla]');
    await expect.poll(() => badge.getAttribute('data-sla')).toBe('breached');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.textContent()).toMatch(/^First response overdue by 2 h/);
    expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    expect(await page.locator('tr', { hasText: 'Printer jammed' }).count()).toBe(0);
    await screenshot(page, 'sla-overdue-view');

    await page.goto(`${server.url}/tickets/${fresh.number}`);
    const countdown = page.locator('.ticket-header [data-sla]');
    await expect.poll(() => countdown.textContent()).toMatch(/^First response due in (59 min|1 h)$/);
    expect(await countdown.getAttribute('data-sla')).toBe('running');
    expect(await countdown.isVisible()).toBe(true);

    await page.goto(`${server.url}/admin/sla`);
    await page.getByRole('cell', { name: 'Default', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'Standard hours', exact: true }).waitFor();
    await screenshot(page, 'sla-admin');
  });
});
