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

describe('automation rules in the admin screens', () => {
  it('an admin adds a routing rule that then routes new tickets, and switches it off', async () => {
    await signIn(page, server.url, ADMIN.email, ADMIN.password);
    await page.goto(`${server.url}/admin/automations`);
    await page.getByRole('button', { name: 'New rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Tag refunds');
    await dialog.getByLabel('Condition (filter language)').fill('refund');
    await dialog.getByLabel('Actions (JSON)').fill('[{"type":"add_tags","tags":["refund-desk"]}');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'not valid JSON' }).waitFor();
    await dialog.getByLabel('Actions (JSON)').fill('[{"type":"add_tags","tags":["refund-desk"]}]');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('[data-kind="routing"] tr[data-rule="Tag refunds"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('add_tags');
    await screenshot(page, 'automations-admin');

    const tk = await api.call<{ number: number }>('POST', '/api/v1/tickets', { subject: 'Where is my refund?', requester: { email: 'refund@customer.test' }, message: { body: 'Still waiting' } });
    await expect.poll(async () => (await api.call<{ tags: string[] }>('GET', `/api/v1/tickets/${tk.number}`)).tags, { timeout: 15_000 }).toEqual(['refund-desk']);

    await row.getByRole('button', { name: 'Switch off' }).click();
    await row.getByText('off', { exact: true }).waitFor();
    const rules = await api.call<{ items: { name: string; active: boolean }[] }>('GET', '/api/v1/automations/rules');
    expect(rules.items.find((r) => r.name === 'Tag refunds')?.active).toBe(false);
  });
});
