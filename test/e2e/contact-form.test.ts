import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_FILL_MS } from '../../server/modules/channels/forms/form.service.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { ADMIN, ApiSession, startServer, type E2eServer } from './support/e2e-server.js';

let server: E2eServer;
let api: ApiSession;
let site: Server;
let siteUrl = '';
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startServer();
  api = await ApiSession.signIn(server.url, ADMIN.email, ADMIN.password);
  await api.call('POST', '/api/v1/custom-fields', { key: 'order_number', label: 'Order number', type: 'text', requiredForTypes: ['incident'] });
  await api.call('POST', '/api/v1/custom-fields', { key: 'product', label: 'Product', type: 'dropdown', options: ['Kettle', 'Toaster'] });
  await api.call('PATCH', '/api/v1/forms/settings', { title: 'Contact Acme', types: ['question', 'incident'], fields: { incident: ['product'] } });
  // A customer's site embedding the form with one script tag.
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Acme</title></head><body><h1>Help</h1><script src="${server.url}/support/embed.js" data-type="incident"></script></body></html>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  browser = await launchBrowser();
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => site?.close(r));
  await server?.stop();
});

describe('contact form in a browser', () => {
  it('the hosted page shows errors next to the fields, keeps the text, then opens a ticket with the attachment', async () => {
    await page.goto(`${server.url}/support/new`);
    await page.getByRole('heading', { name: 'Contact Acme' }).waitFor();
    await page.getByRole('navigation', { name: 'What is your request about?' }).getByRole('link', { name: 'Something is not working' }).click();
    await page.getByLabel('Order number').waitFor();
    await page.getByLabel('Your name').fill('Kim Customer');
    await page.getByLabel('Your email').fill('kim@customer');
    await page.getByLabel('Subject').fill('Kettle leaks');
    await page.getByLabel('How can we help?').fill('Water everywhere after two days.');
    await page.getByLabel('Product (optional)').selectOption('Kettle');
    // A person takes a moment; the time trap refuses forms sent faster than that.
    await page.waitForTimeout(MIN_FILL_MS + 200);
    await page.getByRole('button', { name: 'Send request' }).click();

    const alert = page.getByRole('alert');
    await alert.getByText('Please check the form').waitFor();
    await alert.getByText('enter a valid email address').waitFor();
    await alert.getByText('Order number: this field is required').waitFor();
    expect(await page.getByLabel('Subject').inputValue()).toBe('Kettle leaks');
    expect(await page.getByLabel('How can we help?').inputValue()).toBe('Water everywhere after two days.');
    expect(await page.getByLabel('Product (optional)').inputValue()).toBe('Kettle');
    expect(await page.getByLabel('Your email').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'form-01-errors');

    await page.getByLabel('Your email').fill('kim@customer.test');
    await page.getByLabel('Order number').fill('A-1001');
    await page.getByLabel('Attachments (optional, up to 5 files)').setInputFiles([{ name: 'photo-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('the base is cracked') }]);
    await page.getByRole('button', { name: 'Send request' }).click();
    const status = page.getByRole('status');
    await status.getByText(/ticket #\d+/).waitFor();
    const number = Number(/#(\d+)/.exec((await status.textContent()) ?? '')![1]);
    await screenshot(page, 'form-02-thanks');

    const ticket = await api.call<{ channel: string; type: string; customFields: Record<string, unknown>; requester: { email: string } }>('GET', `/api/v1/tickets/${number}`);
    expect(ticket).toMatchObject({ channel: 'web_form', type: 'incident', customFields: { order_number: 'A-1001', product: 'Kettle' }, requester: { email: 'kim@customer.test' } });
    const messages = await api.call<{ attachments: { filename: string }[] }[] | { items: { attachments: { filename: string }[] }[] }>('GET', `/api/v1/tickets/${number}/messages`);
    const list = Array.isArray(messages) ? messages : messages.items;
    expect(list[0]!.attachments.map((a) => a.filename)).toEqual(['photo-notes.txt']);
  });

  it('the embedded form on another site works inside its frame', async () => {
    await page.goto(`${siteUrl}/`);
    const frame = page.frameLocator('iframe[title="Contact form"]');
    await frame.getByLabel('Order number').waitFor();
    await frame.getByLabel('Your name').fill('Lee Customer');
    await frame.getByLabel('Your email').fill('lee@customer.test');
    await frame.getByLabel('Subject').fill('Toaster sparks');
    await frame.getByLabel('How can we help?').fill('Sparks when I press the lever.');
    await frame.getByLabel('Order number').fill('B-2002');
    await page.waitForTimeout(MIN_FILL_MS + 200);
    await frame.getByRole('button', { name: 'Send request' }).click();
    await frame.getByRole('status').getByText(/ticket #\d+/).waitFor();
    const found = await api.call<{ items: { subject: string; channel: string }[] }>('GET', `/api/v1/tickets?q=${encodeURIComponent('"Toaster sparks"')}`);
    expect(found.items.map((t) => [t.subject, t.channel])).toContainEqual(['Toaster sparks', 'web_form']);
    expect(pageErrors).toEqual([]);
  });
});
