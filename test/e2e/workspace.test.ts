import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import { ADMIN, ApiSession, startServer, type E2eServer } from './support/e2e-server.js';

// One server, one browser; the steps build on each other like an agent's morning.
const BEA = { email: 'bea@e2e.test', password: 'bea password 1', name: 'Bea Agent' };
const CARL = { email: 'carl@e2e.test', password: 'carl password 1', name: 'Carl Agent' };

let server: E2eServer;
let api: ApiSession;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const numbers: Record<string, number> = {};

async function createTicket(key: string, body: Record<string, unknown>): Promise<void> {
  const t = await api.call<{ number: number }>('POST', '/api/v1/tickets', { requester: { email: 'alice@customer.test', name: 'Alice Customer' }, channel: 'email', ...body });
  numbers[key] = t.number;
}

const row = (n: number) => page.locator(`tr[data-number="${n}"]`);

beforeAll(async () => {
  server = await startServer();
  api = await ApiSession.signIn(server.url, ADMIN.email, ADMIN.password);
  const group = await api.call<{ id: string }>('POST', '/api/v1/groups', { name: 'Billing', description: 'Money matters' });
  for (const u of [BEA, CARL]) await api.call('POST', '/api/v1/users', { ...u, role: 'agent', groupIds: [group.id] });
  await createTicket('refund', {
    subject: 'Refund for duplicate charge',
    message: { body: '<p>I was charged <b>twice</b> this month.</p><p><img src="https://tracker.example/pixel.png" alt="tracker"></p>', format: 'html' },
    tags: ['billing'],
    groupId: group.id,
  });
  await createTicket('login', { subject: 'Cannot log in after password reset', message: { body: 'The login page says my credentials are invalid.' }, priority: 'urgent' });
  await createTicket('invoice', { subject: 'Invoice address is wrong', message: { body: 'Please fix the address on invoice 4411.' }, tags: ['billing'] });
  await createTicket('invoiceDup', { subject: 'Invoice address (second mail)', message: { body: 'Sending this again: the invoice address is wrong.' } });
  await createTicket('export', { subject: 'Export to CSV is missing columns', message: { body: 'The export leaves out custom columns.' } });
  await createTicket('slow', { subject: 'Very slow page loads', message: { body: 'Every page takes ten seconds.' } });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // The inline script of index.html runs under the CSP by its hash.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('agent workspace in a browser', () => {
  it('refuses a wrong password, then signs in and shows the views with counts', async () => {
    await page.goto(`${server.url}/views/unassigned`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Email or password is incorrect.');
    await screenshot(page, '01-sign-in');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Views and pages' });
    await nav.getByRole('link', { name: /Unassigned/ }).waitFor();
    // The URL the agent asked for survives the sign-in.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Unassigned');
    await expect.poll(() => nav.locator('[data-view="unassigned"] .nav-count').textContent()).toBe('6');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(6);
  });

  it('triages a queue: urgent stands out, the filter box autocompletes, j/k and Enter open a ticket', async () => {
    const urgentRow = row(numbers.login!);
    await expect.poll(() => urgentRow.getByText('Urgent', { exact: true }).isVisible()).toBe(true);
    expect(await urgentRow.getAttribute('class')).toContain('row-urgent');
    await screenshot(page, '02-inbox');

    const box = page.getByRole('combobox', { name: 'Search or filter tickets' });
    await box.click();
    await box.pressSequentially('priority:urg');
    await page.getByRole('option', { name: /urgent/ }).waitFor();
    await box.press('Enter'); // picks the suggestion
    await expect.poll(() => box.inputValue()).toBe('priority:urgent ');
    await box.press('Enter'); // runs the filter
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody').textContent()).toContain('Cannot log in after password reset');
    await screenshot(page, '03-filtered');

    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /Cannot log in after password reset/ }).waitFor();
    expect(page.url()).toContain(`/tickets/${numbers.login}`);
  });

  it('opens a mail ticket: HTML in a sandboxed frame, remote images blocked until allowed', async () => {
    await page.goto(`${server.url}/tickets/${numbers.refund}`);
    await page.getByRole('heading', { level: 1, name: /Refund for duplicate charge/ }).waitFor();
    const frame = page.locator('iframe[title^="Message from"]');
    expect(await frame.getAttribute('sandbox')).not.toContain('allow-scripts');
    const body = page.frameLocator('iframe[title^="Message from"]').locator('body');
    await expect.poll(() => body.textContent()).toContain('I was charged twice this month.');
    expect(await page.frameLocator('iframe[title^="Message from"]').locator('img').getAttribute('src')).toBeNull();
    await expect.poll(() => page.getByText('Remote images are blocked').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Show images' }).click();
    await expect.poll(() => page.frameLocator('iframe[title^="Message from"]').locator('img').getAttribute('src')).toBe('https://tracker.example/pixel.png');
    // The customer panel knows Alice's other tickets.
    await expect.poll(() => page.getByRole('region', { name: 'Customer', exact: true }).textContent()).toContain('Invoice address is wrong');
  });

  it('replies, and the reply shows in the timeline as a public reply', async () => {
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await page.keyboard.press('r');
    const reply = page.getByRole('textbox', { name: 'Public reply to the customer' });
    await expect.poll(() => reply.evaluate((el) => el === document.activeElement)).toBe(true);
    await reply.fill('Sorry about that! I have refunded the second charge.');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByLabel('Preview').textContent()).toContain('I have refunded the second charge.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = page.getByRole('article', { name: /Public reply: Administrator/ });
    await expect.poll(() => sent.textContent()).toContain('I have refunded the second charge.');
  });

  it('adds an internal note with an @mention that cannot be mistaken for a reply', async () => {
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await page.keyboard.press('n');
    const note = page.getByRole('textbox', { name: 'Internal note (agents only)' });
    await note.pressSequentially('Checked the payment log. @be');
    await page.getByRole('listbox', { name: 'Agents to mention' }).getByRole('option', { name: /Bea Agent/ }).waitFor();
    await note.press('Enter');
    await expect.poll(() => note.inputValue()).toBe('Checked the payment log. @bea ');
    await note.pressSequentially('can you confirm with the bank?');
    await page.getByRole('button', { name: 'Add note' }).click();
    const added = page.getByRole('article', { name: /Internal note: Administrator/ });
    await expect.poll(() => added.textContent()).toContain('can you confirm with the bank?');
    expect(await added.textContent()).toContain('Internal note');
    expect(await added.textContent()).toContain('Mentioned: @bea');
    expect(await added.getAttribute('class')).toContain('message-note');
    // Different colours: a note and a reply never share a background.
    const bg = (l: typeof added) => l.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bg(added)).not.toBe(await bg(page.getByRole('article', { name: /Public reply: Administrator/ })));
    await screenshot(page, '04-ticket');
  });

  it('resolves with To Solve: the reply is sent and the ticket is resolved in one click', async () => {
    await page.getByRole('tab', { name: 'Reply' }).click();
    await page.getByRole('textbox', { name: 'Public reply to the customer' }).fill('The refund is on its way; closing this for now.');
    await page.getByRole('button', { name: 'To Solve' }).click();
    await expect.poll(() => page.locator('.ticket-header').textContent()).toContain('Resolved');
    await expect.poll(() => page.getByRole('article', { name: /Public reply: Administrator/ }).last().textContent()).toContain('The refund is on its way');
    await expect.poll(() => page.locator('.timeline-event[data-action="status_changed"]').last().textContent()).toContain('Resolved');
    const t = await api.call<{ status: string }>('GET', `/api/v1/tickets/${numbers.refund}`);
    expect(t.status).toBe('resolved');
  });

  it('shows a closed ticket read-only: properties and the public reply are off, an internal note still goes in', async () => {
    await api.call('PATCH', `/api/v1/tickets/${numbers.refund}`, { status: 'closed' });
    await page.reload();
    await expect.poll(() => page.locator('.ticket-header').textContent()).toContain('Closed');
    await expect.poll(() => page.getByText('This ticket is closed and can no longer change').isVisible()).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Priority' }).isDisabled()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Reply' }).isDisabled()).toBe(true);
    await page.getByRole('textbox', { name: /Internal note/ }).fill('Customer called to say thanks.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.getByRole('article', { name: /Internal note/ }).last().textContent()).toContain('Customer called to say thanks.');
  });

  it('merges two tickets from the list', async () => {
    await page.goto(`${server.url}/views/all_open`);
    await row(numbers.invoiceDup!).waitFor();
    await row(numbers.invoice!).getByRole('checkbox').check();
    await row(numbers.invoiceDup!).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge tickets' });
    await dialog.getByRole('radio', { name: new RegExp(`#${numbers.invoice} `) }).check();
    await dialog.getByRole('button', { name: `Merge into #${numbers.invoice}` }).click();
    await page.getByRole('heading', { level: 1, name: /Invoice address is wrong/ }).waitFor();
    await expect.poll(() => page.getByRole('list', { name: 'Conversation and history' }).textContent()).toContain('Sending this again: the invoice address is wrong.');
    await expect.poll(() => page.locator('.timeline-event[data-action="merged_from"]').textContent()).toContain(`#${numbers.invoiceDup}`);
  });

  it('bulk-assigns selected tickets to an agent', async () => {
    await page.goto(`${server.url}/views/unassigned`);
    await row(numbers.export!).waitFor();
    await row(numbers.export!).getByRole('checkbox').check();
    await row(numbers.slow!).getByRole('checkbox').check();
    await expect.poll(() => page.getByRole('toolbar', { name: 'Actions on selected tickets' }).textContent()).toContain('2 selected');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('menuitem', { name: CARL.name }).click();
    await expect.poll(() => page.getByRole('status').last().textContent()).toContain('2 tickets updated');
    // They leave the Unassigned queue and show Carl as the assignee elsewhere.
    await expect.poll(() => row(numbers.export!).count()).toBe(0);
    await page.goto(`${server.url}/views/all_open`);
    await expect.poll(() => row(numbers.slow!).locator('.col-assignee').textContent()).toBe(CARL.name);
    await expect.poll(() => row(numbers.export!).locator('.col-assignee').textContent()).toBe(CARL.name);
  });

  it('builds a filter visually and saves it as a custom view with chosen columns', async () => {
    await page.goto(`${server.url}/tickets`);
    await page.getByRole('button', { name: 'Filter builder' }).click();
    const builder = page.getByRole('group', { name: 'Filter builder' });
    await builder.getByLabel('Field').selectOption('tag');
    await builder.getByLabel('Value').fill('billing');
    await expect.poll(() => builder.getByLabel('Filter text').textContent()).toBe('tag:billing');
    await screenshot(page, '05-filter-builder');
    await builder.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Search or filter tickets' }).inputValue()).toBe('tag:billing');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Save as view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as view' });
    await dialog.getByLabel('Name').fill('Billing tag');
    await dialog.getByRole('checkbox', { name: 'Channel' }).uncheck();
    await dialog.getByRole('button', { name: 'Save view' }).click();
    const link = page.getByRole('navigation', { name: 'Views and pages' }).getByRole('link', { name: /Billing tag/ });
    await expect.poll(() => link.textContent()).toBe('Billing tag2');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Billing tag');
    expect(await page.locator('thead').textContent()).not.toContain('Channel');
  });

  it("shows a new ticket in a second agent's list without a reload", async () => {
    const bea = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p2 = await bea.newPage();
      await signIn(p2, server.url, BEA.email, BEA.password);
      await p2.goto(`${server.url}/views/all_open`);
      await p2.locator('tbody tr').first().waitFor();
      await p2.locator('.live-live').waitFor();
      const count = p2.getByRole('navigation', { name: 'Views and pages' }).locator('[data-view="all_open"] .nav-count');
      const before = Number(await count.textContent());
      await createTicket('live', { subject: 'Live: printer on fire', message: { body: 'Smoke everywhere.' } });
      await expect.poll(() => p2.locator('tbody').textContent(), { timeout: 25_000 }).toContain('Live: printer on fire');
      // The sidebar's count follows too (counts refresh at most every two seconds).
      await expect.poll(() => count.textContent()).toBe(String(before + 1));
    } finally {
      await bea.close();
    }
  });

  it('works at phone width and in the dark theme', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${server.url}/views/all_open`);
    await page.locator('tbody tr').first().waitFor();
    expect(await page.getByRole('navigation', { name: 'Views and pages' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect.poll(() => page.getByRole('navigation', { name: 'Views and pages' }).isVisible()).toBe(true);
    await page.waitForTimeout(300); // the drawer slides in
    await screenshot(page, '06-phone-menu');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.waitForTimeout(300);
    await screenshot(page, '07-phone-dark');
    await page.setViewportSize({ width: 1366, height: 860 });
    await page.goto(`${server.url}/tickets/${numbers.refund}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await screenshot(page, '08-ticket-dark');
    await page.getByRole('button', { name: 'Light theme' }).click();
  });

  it('shows the shortcut help with ?', async () => {
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect.poll(() => help.textContent()).toContain('Assign to me (Keep)');
    await page.keyboard.press('Escape');
  });

  it('admin pages list users and create a custom field for a ticket type', async () => {
    await page.goto(`${server.url}/admin/users`);
    await expect.poll(() => page.locator('table').textContent()).toContain(CARL.email);
    await screenshot(page, '09-admin-users');
    await page.getByRole('link', { name: 'Custom fields' }).click();
    await page.getByRole('button', { name: 'New field' }).click();
    const dialog = page.getByRole('dialog', { name: 'New field' });
    await dialog.getByLabel('Label').fill('Order number');
    await dialog.getByLabel('Key').fill('order_number');
    await dialog.getByRole('checkbox', { name: 'Question' }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('table').textContent()).toContain('cf.order_number');
    // The ticket page offers it on a question ticket, marked required.
    await page.goto(`${server.url}/tickets/${numbers.export}`);
    await expect.poll(() => page.getByRole('region', { name: 'Properties' }).textContent()).toContain('Order number *');
  });

  it('changes the password, signs out, and handles an expired session gracefully', async () => {
    await page.getByRole('button', { name: 'Your account' }).click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change password' });
    await dialog.getByLabel('Current password').fill(ADMIN.password);
    await dialog.getByLabel('New password', { exact: true }).fill('a brand new password');
    await dialog.getByLabel('Repeat new password').fill('a brand new password');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('status').last().textContent()).toContain('Your password was changed.');

    await page.getByRole('button', { name: 'Your account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(page, server.url, ADMIN.email, 'a brand new password');

    // The session disappears under the agent (expired, revoked): the next request brings the sign-in back.
    await page.goto(`${server.url}/tickets/${numbers.slow}`);
    await page.getByRole('heading', { level: 1, name: /Very slow page loads/ }).waitFor();
    // The conversation loaded too: a page request still in flight would meet the ended session
    // first and show the sign-in before the click this test makes.
    await page.getByText('Every page takes ten seconds.').first().waitFor();
    await context.clearCookies();
    await page.getByRole('button', { name: 'Keep' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Your session has ended');
    expect(page.url()).toContain(`/tickets/${numbers.slow}`);
    expect(pageErrors).toEqual([]);
  });
});
