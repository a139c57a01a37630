import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.js';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import { ADMIN, ApiSession, startServer, type E2eServer } from './support/e2e-server.js';

let server: E2eServer;
let sink: SmtpSink;
let api: ApiSession;
let browser: Browser;
let mine: number;
let theirs: number;
const pageErrors: string[] = [];

const LINK = /https?:\/\/[^/\s]+(\/portal\/\S*#token=[\w-]+)/;
// Other mail reaches the same customers (the agent's reply to their ticket), at its own pace.
const signInMails = (email: string) => sink.mails.filter((m) => m.envelope.to.includes(email) && LINK.test(m.parsed.text ?? ''));

/** The link in the newest sign-in mail to `email`, on this server's origin (the mail names the public URL). */
async function mailedLink(email: string, after: number): Promise<string> {
  await expect.poll(() => signInMails(email).length, { timeout: 15_000 }).toBeGreaterThan(after);
  const link = LINK.exec(signInMails(email).at(-1)!.parsed.text ?? '');
  return `${server.url}${link![1]}`;
}

const countTo = (email: string) => signInMails(email).length;

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startServer({ SMTP_URL: sink.url });
  api = await ApiSession.signIn(server.url, ADMIN.email, ADMIN.password);
  await api.call('POST', '/api/v1/mailboxes', { address: 'help@acme.test', displayName: 'Acme Help', brand: { name: 'Acme', colour: '#aa3300' } });
  mine = (await api.call<{ number: number }>('POST', '/api/v1/tickets', { subject: 'Kettle does not boil', requester: { email: 'alice@portal.test', name: 'Alice' }, message: { body: 'It stays cold.' } })).number;
  theirs = (await api.call<{ number: number }>('POST', '/api/v1/tickets', { subject: 'Bob private matter', requester: { email: 'bob@portal.test', name: 'Bob' }, message: { body: 'Secret.' } })).number;
  await api.call('POST', `/api/v1/tickets/${mine}/messages`, { kind: 'note', body: 'INTERNAL: replace under warranty' });
  await api.call('POST', `/api/v1/tickets/${mine}/messages`, { kind: 'reply', body: 'Have you tried descaling it?' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.close();
});

describe('customer portal in a browser', () => {
  let link: string;

  it('mails a sign-in link and signs the customer in with it; they see only their own request', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/portal/`);
    await expect.poll(() => page.getByRole('banner').textContent()).toContain('Acme support');
    const before = countTo('alice@portal.test');
    await page.getByLabel('Email address').fill('alice@portal.test');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    link = await mailedLink('alice@portal.test', before);

    await page.goto(link);
    await page.getByRole('heading', { name: 'Your requests' }).waitFor();
    // The single-use token does not stay in the address bar or history.
    expect(page.url()).not.toContain('token=');
    const list = page.getByRole('list', { name: 'Requests' });
    await expect.poll(() => list.textContent()).toContain('Kettle does not boil');
    expect(await list.textContent()).not.toContain('Bob private matter');
    await screenshot(page, 'portal-01-list');

    await list.getByRole('link', { name: /Kettle does not boil/ }).click();
    await page.getByRole('heading', { name: `#${mine} Kettle does not boil` }).waitFor();
    const conversation = page.getByRole('region', { name: 'Conversation' });
    await expect.poll(() => conversation.textContent()).toContain('Have you tried descaling it?');
    expect(await conversation.textContent()).not.toContain('INTERNAL');

    await page.getByLabel('Your reply').fill('Descaling did not help, photo attached.');
    await page.getByLabel('Attachments (optional)').setInputFiles({ name: 'kettle.txt', mimeType: 'text/plain', buffer: Buffer.from('a photo, in words') });
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => conversation.textContent()).toContain('Descaling did not help, photo attached.');
    await page.getByRole('link', { name: 'kettle.txt' }).waitFor();
    await screenshot(page, 'portal-02-ticket');
    const agentView = await api.call<{ items: { kind: string; bodyText: string; attachments: { filename: string }[] }[] }>('GET', `/api/v1/tickets/${mine}/messages`);
    expect(agentView.items.at(-1)).toMatchObject({ kind: 'customer', bodyText: 'Descaling did not help, photo attached.', attachments: [{ filename: 'kettle.txt' }] });

    // Another customer's request by its number: not found, in the page and through the API.
    await page.goto(`${server.url}/portal/#/tickets/${theirs}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('Bob private matter');
    const direct = await page.evaluate(async (n) => (await fetch(`/api/v1/portal/tickets/${n}`)).status, theirs);
    expect(direct).toBe(404);

    await page.goto(`${server.url}/portal/#/tickets/${mine}`);
    await page.getByRole('button', { name: 'Close this request' }).click();
    await expect.poll(() => page.locator('main .status').first().textContent()).toBe('Closed');
    expect((await api.call<{ status: string }>('GET', `/api/v1/tickets/${mine}`)).status).toBe('closed');
  });

  it('opens a new request from the portal', async () => {
    const page = await newPage();
    const before = countTo('alice@portal.test');
    await page.goto(`${server.url}/portal/`);
    await page.getByLabel('Email address').fill('alice@portal.test');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.goto(await mailedLink('alice@portal.test', before));
    await page.getByRole('link', { name: 'Open a new request' }).click();
    await page.getByLabel('Subject').fill('Lid is loose');
    await page.getByLabel('How can we help?').fill('The lid wobbles.');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('heading', { name: /#\d+ Lid is loose/ }).waitFor();
    const found = await api.call<{ items: { subject: string; requester: { email: string } }[] }>('GET', '/api/v1/tickets?q=requester:alice@portal.test');
    expect(found.items.find((x) => x.subject === 'Lid is loose')?.requester.email).toBe('alice@portal.test');
  });

  it('refuses a link that was already used', async () => {
    const page = await newPage();
    await page.goto(link);
    await page.getByRole('alert').filter({ hasText: 'expired or was already used' }).waitFor();
    await page.getByRole('heading', { name: 'Sign in to the support portal' }).waitFor();
    await screenshot(page, 'portal-03-used-link');
    expect(pageErrors).toEqual([]);
  });
});

describe('phone callbacks in the agent workspace', () => {
  it('lists the agent\'s callbacks, marks one done, and logs a call from the page', async () => {
    const ticket = (await api.call<{ number: number }>('POST', '/api/v1/tickets', { subject: 'Ring me about the invoice', requester: { email: 'carl@portal.test' }, message: { body: 'Please call.' } })).number;
    const page = await newPage();
    await signIn(page, server.url, ADMIN.email, ADMIN.password);
    await page.getByRole('navigation', { name: 'Views and pages' }).getByRole('link', { name: 'Callbacks' }).click();
    await page.getByRole('heading', { name: 'Callbacks' }).waitFor();
    await page.getByText('No callbacks booked.').waitFor();
    await page.getByRole('button', { name: 'Book a callback' }).click();
    const booking = page.getByRole('dialog');
    const at = new Date(Date.now() + 3600_000);
    const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}T${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
    await booking.getByLabel('Ticket').fill(String(ticket));
    await booking.getByLabel('Call back at').fill(local);
    await booking.getByLabel(/^Number/).fill('+15550104444');
    await booking.getByLabel('Notes').fill('Afternoon is best');
    await booking.getByRole('button', { name: 'Book a callback' }).click();
    const row = page.getByRole('row', { name: /Ring me about the invoice/ });
    await expect.poll(() => row.textContent()).toContain('+15550104444');
    expect(await row.textContent()).toContain('Afternoon is best');
    await screenshot(page, 'phone-01-callbacks');
    await row.getByRole('button', { name: 'Done' }).click();
    await page.getByText('No callbacks booked.').waitFor();

    await page.getByRole('button', { name: 'Log a call' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Number', { exact: true }).fill('+1 555 010 5555');
    await dialog.getByLabel('Direction').selectOption('inbound');
    await dialog.getByLabel('Duration (minutes)').fill('2');
    await dialog.getByLabel('Notes').fill('Asked about delivery dates');
    await dialog.getByRole('button', { name: 'Log call' }).click();
    await page.waitForURL(/\/tickets\/\d+$/);
    const number = Number(/\/tickets\/(\d+)$/.exec(page.url())![1]);
    const calls = await api.call<{ items: { number: string; durationSeconds: number; notes: string }[] }>('GET', `/api/v1/tickets/${number}/calls`);
    expect(calls.items).toEqual([expect.objectContaining({ number: '+15550105555', durationSeconds: 120, notes: 'Asked about delivery dates' })]);
    expect(pageErrors).toEqual([]);
  });
});
