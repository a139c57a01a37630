import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../integrations/http-receiver.js';
import { screenshot, signIn } from './support/browser.js';
import { openAdminBrowser, type AdminBrowser } from './support/admin-browser.js';
import { ADMIN, type ApiSession, type E2eServer } from './support/e2e-server.js';

let ui: AdminBrowser;
let server: E2eServer;
let api: ApiSession;
let page: Page;
let tracker: Receiver;

beforeAll(async () => {
  ui = await openAdminBrowser();
  ({ server, api, page } = ui);
  tracker = await startReceiver();
});

afterAll(async () => {
  await ui?.close();
  await tracker?.close();
});

describe('ticket page: CSAT badge and external issue', () => {
  it('shows the customer\'s rating and the transferred issue with its mirrored status', async () => {
    await api.call('POST', '/api/v1/mailboxes', { address: 'help@e2e.test', displayName: 'E2E Help' });
    // Surveys are off until an admin turns them on.
    await signIn(page, server.url, ADMIN.email, ADMIN.password);
    await page.goto(`${server.url}/admin/csat`);
    await page.getByLabel('Send a satisfaction survey when a ticket is resolved').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api.call<{ enabled: boolean }>('GET', '/api/v1/csat/settings')).enabled, { timeout: 10_000 }).toBe(true);
    const ticket = await api.call<{ number: number }>('POST', '/api/v1/tickets', { subject: 'Report export fails', requester: { email: 'gus@customer.test', name: 'Gus' }, message: { body: 'It fails.' } });
    await api.call('PATCH', `/api/v1/tickets/${ticket.number}`, { status: 'resolved' });
    // The worker mails the survey; the customer clicks "Good" in it.
    const goodLink = async () => {
      const items = (await api.call<{ items: { ticketNumber: number; subject: string; rendered: { text: string } }[] }>('GET', '/api/v1/mail/outbox')).items;
      const mail = items.find((m) => m.ticketNumber === ticket.number && m.subject.startsWith('How did we do?'));
      return /^Good: (\S+)$/m.exec(mail?.rendered.text ?? '')?.[1] ?? null;
    };
    await expect.poll(goodLink, { timeout: 15_000 }).not.toBeNull();
    const good = (await goodLink())!;
    // The customer clicks "Good" in their mail client's browser and adds a comment.
    const u = new URL(good);
    const customer = await ui.browser.newContext();
    const survey = await customer.newPage();
    await survey.goto(`${server.url}${u.pathname}${u.search}`);
    await survey.getByRole('heading', { name: 'Thank you for your feedback!' }).waitFor();
    await survey.getByLabel('Anything you would like to add? (optional)').fill('Quick and friendly');
    await survey.getByRole('button', { name: 'Send' }).click();
    await survey.getByText('Quick and friendly').waitFor();
    await screenshot(survey, 'csat-survey-page');
    await customer.close();
    expect((await api.call<{ rating: { rating: number; comment: string } }>('GET', `/api/v1/tickets/${ticket.number}/csat`)).rating).toMatchObject({ rating: 1, comment: 'Quick and friendly' });

    await api.call('PATCH', '/api/v1/integrations/settings', { allowPrivateTargets: true });
    const tr = await api.call<{ id: string; inboundSecret: string }>('POST', '/api/v1/integrations/trackers', {
      name: 'Jira',
      createUrl: `${tracker.url}/issues`,
      createTemplate: '{"title": {{ ticket.subject | json }}}',
      idPath: 'key',
      urlPath: 'url',
    });
    tracker.answers.push({ status: 201, json: { key: 'ENG-9', url: 'https://tracker.example/ENG-9' } });
    await api.call('POST', `/api/v1/tickets/${ticket.number}/transfer`, { trackerId: tr.id });

    await page.goto(`${server.url}/tickets/${ticket.number}`);
    await expect.poll(() => page.getByTestId('csat-badge').textContent(), { timeout: 10_000 }).toBe('Rated good');
    await expect.poll(() => page.getByTestId('transfer-badge').textContent(), { timeout: 10_000 }).toBe('Jira ENG-9 · transferred');
    expect(await page.getByRole('link', { name: 'Jira ENG-9' }).getAttribute('href')).toBe('https://tracker.example/ENG-9');
    await screenshot(page, 'ticket-integrations');

    // The tracker reports the issue resolved; the agent sees it on the next visit.
    const body = JSON.stringify({ externalId: 'ENG-9', status: 'resolved' });
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `sha256=${createHmac('sha256', tr.inboundSecret).update(`${ts}.${body}`).digest('hex')}`;
    const res = await fetch(`${server.url}/api/v1/integrations/trackers/${tr.id}/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tessera-timestamp': ts, 'x-tessera-signature': sig }, body });
    expect(res.status).toBe(200);
    await page.reload();
    await expect.poll(() => page.getByTestId('transfer-badge').textContent(), { timeout: 10_000 }).toBe('Jira ENG-9 · resolved');
  });

  it('lets an admin add a webhook and send a test delivery from the admin page', async () => {
    const receiver = await startReceiver();
    try {
      await page.goto(`${server.url}/admin/webhooks`);
      await page.getByRole('button', { name: 'New webhook' }).click();
      await page.getByLabel('Name').fill('CRM');
      await page.getByLabel('URL').fill(`${receiver.url}/hook`);
      await page.getByLabel('csat.rated').check();
      await page.getByRole('button', { name: 'Save' }).click();
      const row = page.locator('tr[data-webhook="CRM"]');
      await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('ticket.created, csat.rated');
      await row.getByRole('button', { name: 'Send test' }).click();
      await expect.poll(() => page.getByText('Test delivered (HTTP 200)').count(), { timeout: 10_000 }).toBe(1);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.headers['x-tessera-event']).toBe('webhook.test');
      await row.getByRole('button', { name: 'Delivery log' }).click();
      await expect.poll(() => page.getByRole('dialog').textContent(), { timeout: 10_000 }).toContain('webhook.test');
      await screenshot(page, 'webhooks-admin');
    } finally {
      await receiver.close();
    }
  });
});
