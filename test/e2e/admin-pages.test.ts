import { createServer, type AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
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
  await signIn(page, server.url, ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  await ui?.close();
});

describe('admin pages', () => {
  it('an admin creates a shared canned response and sees its placeholders', async () => {
    await page.goto(`${server.url}/admin/canned-responses`);
    await page.getByRole('button', { name: 'New canned response' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Title').fill('Refund on its way');
    await dialog.getByLabel('Text').fill('Hello , your refund for ticket #');
    await dialog.getByRole('button', { name: '{{ requester.firstName }}' }).click();
    await dialog.getByLabel('Text').press('End');
    await dialog.getByRole('button', { name: '{{ ticket.number }}' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tr[data-canned="Refund on its way"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Everyone');
    expect(await row.locator('code').allTextContents()).toEqual(expect.arrayContaining(['requester.firstName', 'ticket.number']));
    const shared = await api.call<{ items: { title: string; scope: string }[] }>('GET', '/api/v1/canned-responses');
    expect(shared.items.find((c) => c.title === 'Refund on its way')?.scope).toBe('shared');
  });

  it('an admin renames a tag and the ticket list shows the new name', async () => {
    const tk = await api.call<{ number: number }>('POST', '/api/v1/tickets', { subject: 'Tagged for renaming', requester: { email: 'tags@customer.test' }, message: { body: 'hi' }, tags: ['vip-old'] });
    const view = await api.call<{ id: string }>('POST', '/api/v1/views', { name: 'With tags', query: '', columns: ['number', 'subject', 'tags'] });
    await page.goto(`${server.url}/admin/tags`);
    const row = page.locator('tr[data-tag="vip-old"]');
    await row.getByText('1 ticket').waitFor();
    await row.getByRole('button', { name: 'Rename' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New name').fill('vip');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await page.locator('tr[data-tag="vip"]').waitFor();
    expect(await page.locator('tr[data-tag="vip-old"]').count()).toBe(0);
    await screenshot(page, 'admin-tags');

    await page.goto(`${server.url}/views/${view.id}`);
    const ticketRow = page.locator(`tr[data-number="${tk.number}"]`);
    await ticketRow.locator('.col-tags').getByText('vip', { exact: true }).waitFor();
    expect(await ticketRow.locator('.col-tags').textContent()).not.toContain('vip-old');
  });

  it('an admin creates a mailbox pointed at a server that hangs up and sees the failure after "poll now"', async () => {
    // Held for the test: a port found free and let go could be taken by a parallel test's
    // server meanwhile, and one that never answers leaves the poll waiting for its timeout.
    const hangsUp = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hangsUp.listen(0, '127.0.0.1', resolve));
    const { port } = hangsUp.address() as AddressInfo;
    onTestFinished(() => void hangsUp.close());
    await page.goto(`${server.url}/admin/mailboxes`);
    await page.getByRole('button', { name: 'New mailbox' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Address').fill('help@brand.test');
    await dialog.getByLabel('Display name').fill('Brand help');
    await dialog.getByLabel('Brand name').fill('Brand Co');
    await dialog.getByLabel('IMAP host').fill('127.0.0.1');
    await dialog.getByLabel('Port').fill(String(port));
    await dialog.getByLabel('TLS (IMAPS)').uncheck();
    await dialog.getByLabel('IMAP user').fill('help');
    await dialog.getByLabel('IMAP password').fill('secret password');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const card = page.locator('[data-mailbox="help@brand.test"]');
    await card.waitFor();
    expect(await card.textContent()).toContain('Not polled yet');
    await card.getByRole('button', { name: 'Poll now' }).click();
    const banner = card.getByRole('alert').filter({ hasText: 'IMAP polling FAILED' });
    await banner.waitFor({ timeout: 60_000 });
    expect(await card.textContent()).toContain('Failing');
    expect(await card.getByRole('alert').filter({ hasText: 'WITHOUT TLS' }).count()).toBe(1);
    await screenshot(page, 'admin-mailboxes');
    const stored = await api.call<{ items: { address: string; imap: { state: string; passwordSet: boolean } }[] }>('GET', '/api/v1/mailboxes');
    expect(stored.items.find((m) => m.address === 'help@brand.test')?.imap).toMatchObject({ state: 'error', passwordSet: true });
  }, 90_000);

  it('an admin edits a template and sees the preview', async () => {
    await page.goto(`${server.url}/admin/templates`);
    await page.getByRole('button', { name: 'Acknowledgement', exact: true }).click();
    await page.getByRole('textbox', { name: 'Subject', exact: true }).fill('We got it: {{ ticket.subject }}');
    await page.getByRole('textbox', { name: 'HTML (Liquid)', exact: true }).fill('<p>Thanks {{ customer.name }}, a human reads this soon.</p>');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Back to the built-in template' }).waitFor();
    await page.getByRole('button', { name: 'Show preview' }).click();
    const preview = page.getByTestId('template-preview');
    await preview.locator('[data-preview="subject"]').getByText('We got it:', { exact: false }).waitFor();
    await expect.poll(() => page.frameLocator('iframe.preview-frame').locator('body').textContent()).toContain('a human reads this soon');
    await screenshot(page, 'admin-templates');
    const stored = await api.call<{ subject: string; customized: boolean }>('GET', '/api/v1/customer-notifications/templates/acknowledgement');
    expect(stored).toMatchObject({ subject: 'We got it: {{ ticket.subject }}', customized: true });
  });

  it('an admin adds a restricted word', async () => {
    await page.goto(`${server.url}/admin/restricted-words`);
    await page.getByLabel('Restricted words and phrases').fill('guarantee\nfree of charge');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('2 entries').waitFor();
    await expect.poll(async () => (await api.call<{ words: string[] }>('GET', '/api/v1/customer-notifications/restricted-words')).words.sort()).toEqual(['free of charge', 'guarantee']);
  });

  it('an admin posts a notice that an agent sees pinned at the top of the workspace', async () => {
    await page.goto(`${server.url}/admin/notices`);
    await page.getByRole('button', { name: 'Post a notice' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Title').fill('Phones down until noon');
    await dialog.getByLabel('Text').fill('Please use chat.');
    expect(await dialog.getByLabel('Pin at the top of the workspace').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-notice="Phones down until noon"]').getByText('pinned').waitFor();
    // The admin's own workspace shows it at once.
    await page.getByRole('region', { name: 'Notice board' }).getByText('Phones down until noon').waitFor();

    await api.call('POST', '/api/v1/users', { email: 'agent@e2e.test', name: 'Alice Agent', role: 'agent', password: 'agent password 1' });
    const context = await ui.browser.newContext({ viewport: { width: 1366, height: 860 } });
    try {
      const agentPage = await context.newPage();
      await signIn(agentPage, server.url, 'agent@e2e.test', 'agent password 1');
      const board = agentPage.getByRole('region', { name: 'Notice board' });
      await board.getByText('Phones down until noon').waitFor();
      expect(await board.textContent()).toContain('Please use chat.');
      // Above the page: the board comes before the inbox in the content area.
      const order = await agentPage.locator('main.content > *').evaluateAll((els) => els.map((e) => e.className));
      expect(order[0]).toBe('notice-board');
      await screenshot(agentPage, 'workspace-notice-board');
    } finally {
      await context.close();
    }
  });
});
