import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPostgresDatabase } from '../../server/platform/db/dialect/postgres.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import { ADMIN, ApiSession, startServer, type E2eServer } from './support/e2e-server.js';

// A customer's web site on another origin embeds the widget; an agent answers from the console.
const BEA = { email: 'bea.chat@e2e.test', password: 'bea password 1', name: 'Bea Agent' };
const CARL = { email: 'carl.chat@e2e.test', password: 'carl password 1', name: 'Carl Agent' };

const PG_BASE = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

// The same browser story on both engines: the real server on SQLite, then on a fresh PostgreSQL database.
describeEachDialect('live chat in a browser', (dialect) => {
  let pgUrl = '';
  let server: E2eServer;
  let api: ApiSession;
  let site: Server;
  let siteUrl = '';
  let browser: Browser;
  let agentContext: BrowserContext;
  let agent: Page;
  let visitorContext: BrowserContext;
  let visitor: Page;
  let mailboxGroupId = '';
  const pageErrors: string[] = [];

  interface Ticket {
    number: number;
    channel: string;
    groupId: string | null;
    tags: string[];
    requester: { name: string; email: string | null };
    assignee: { name: string } | null;
  }
  interface Message {
    kind: string;
    bodyText?: string;
    body?: string;
    attachments: { filename: string }[];
  }
  const messagesOf = async (n: number): Promise<Message[]> => {
    const r = await api.call<Message[] | { items: Message[] }>('GET', `/api/v1/tickets/${n}/messages`);
    return Array.isArray(r) ? r : r.items;
  };

  beforeAll(async () => {
    pgUrl = dialect === 'postgres' ? `${PG_BASE}/tessera_e2e_chat_${process.pid}_${randomBytes(4).toString('hex')}` : '';
    server = await startServer(pgUrl ? { DATABASE_URL: pgUrl } : {});
    api = await ApiSession.signIn(server.url, ADMIN.email, ADMIN.password);
    const group = await api.call<{ id: string }>('POST', '/api/v1/groups', { name: 'Web shop', description: 'Shop customers' });
    mailboxGroupId = group.id;
    await api.call('POST', '/api/v1/mailboxes', { address: 'shop@e2e.test', displayName: 'Shop support', defaultGroupId: group.id });
    for (const u of [BEA, CARL]) await api.call('POST', '/api/v1/users', { ...u, role: 'agent', groupIds: [group.id] });
    await api.call('POST', '/api/v1/canned-responses', { title: 'Greeting', body: 'Hi {{ requester.first_name }}, thanks for waiting!', scope: 'shared' });
    site = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Pricing</h1><p>Page ${req.url}</p><script src="${server.url}/widget.js" data-mailbox="shop@e2e.test"></script></body></html>`);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    browser = await launchBrowser();
    visitorContext = await browser.newContext({ locale: 'fr-FR' });
    visitorContext.setDefaultTimeout(10_000);
    visitor = await visitorContext.newPage();
    visitor.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => site?.close(r));
    await server?.stop();
    if (pgUrl) await dropPostgresDatabase(pgUrl);
  });

  describe('the widget, the console and conversion', () => {
    it('serves a small widget script', async () => {
      expect((await fetch(`${server.url}/api/health`).then((r) => r.json())).db).toBe(dialect);
      const res = await fetch(`${server.url}/widget.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('javascript');
      // The budget: at most 40 KB gzip.
      expect(gzipSync(Buffer.from(await res.arrayBuffer()), { level: 9 }).length).toBeLessThanOrEqual(40 * 1024);
    });

    it('with no agent available, the widget offers the offline form and the message becomes a ticket', async () => {
      await visitor.goto(`${siteUrl}/shipping`);
      await visitor.getByRole('button', { name: 'Chat', exact: true }).click();
      const form = visitor.getByRole('form', { name: 'Leave a message' });
      await form.getByLabel('Your name').fill('Olga Offline');
      await form.getByLabel('Your email (required)').fill('olga@visitor.test');
      await form.getByLabel('Message (required)').fill('Do you ship to Norway?');
      await form.getByRole('button', { name: 'Send message' }).click();
      const done = visitor.getByText(/received as ticket #\d+/);
      await done.waitFor();
      const number = Number(/#(\d+)/.exec((await done.textContent()) ?? '')![1]);
      const ticket = await api.call<Ticket>('GET', `/api/v1/tickets/${number}`);
      expect(ticket).toMatchObject({ channel: 'chat', groupId: mailboxGroupId, requester: { email: 'olga@visitor.test', name: 'Olga Offline' } });
      expect(JSON.stringify(await messagesOf(number))).toContain('Do you ship to Norway?');
      await screenshot(visitor, 'chat-01-offline-form');
      await visitorContext.close();
    });

    it('a visitor chats with an agent: accept, typing both ways, a file, a reload that loses nothing, then one-click convert', async () => {
      agentContext = await browser.newContext({ viewport: { width: 1366, height: 860 } });
      agentContext.setDefaultTimeout(10_000);
      agent = await agentContext.newPage();
      agent.on('pageerror', (e) => pageErrors.push(String(e)));
      await signIn(agent, server.url, BEA.email, BEA.password);
      const chatLink = agent.getByRole('navigation', { name: 'Views and pages' }).getByRole('link', { name: 'Live chat' });
      await chatLink.click();
      // Twice in full-suite runs on a loaded machine the click made right after sign-in did not
      // take (the URL stayed on the default view; cause not found): one more click, then it must.
      await agent.waitForURL(/\/chat$/, { timeout: 5_000 }).catch(async () => {
        await chatLink.click();
        await agent.waitForURL(/\/chat$/);
      });
      // The console is a lazily loaded part of the app: its first load can take a while there.
      await agent.getByRole('heading', { name: 'Live chat', level: 1 }).waitFor({ timeout: 30_000 });
      await expect.poll(async () => (await fetch(`${server.url}/api/v1/chat/visitor/config`).then((r) => r.json())).online).toBe(true);

      visitorContext = await browser.newContext({ locale: 'fr-FR' });
      visitorContext.setDefaultTimeout(10_000);
      visitor = await visitorContext.newPage();
      visitor.on('pageerror', (e) => pageErrors.push(String(e)));
      await visitor.goto(`${siteUrl}/pricing`);
      await visitor.getByRole('button', { name: 'Chat', exact: true }).click();
      const pre = visitor.getByRole('form', { name: 'Start a chat' });
      await pre.getByLabel('Your name').fill('Vera Visitor');
      await pre.getByLabel('Your email').fill('vera@visitor.test');
      await pre.getByRole('button', { name: 'Start chat' }).click();
      await visitor.getByText('Waiting for an agent…').waitFor();
      const box = visitor.getByLabel('Your message');
      await box.fill('Hello, my invoice shows the wrong amount');
      await box.press('Enter');

      // The console shows the waiting chat with the visitor's page, browser and locale.
      const waiting = agent.getByRole('region', { name: 'Waiting' });
      await waiting.getByText('Vera Visitor').click();
      await agent.getByText('Hello, my invoice shows the wrong amount').waitFor();
      await agent.getByText(`${siteUrl}/pricing`).first().waitFor();
      await agent.getByText('fr-FR').waitFor();
      await agent.getByText(/Chrome \d+/).waitFor();
      await agent.getByRole('button', { name: 'Accept' }).click();
      await visitor.getByText('Chatting with Bea Agent').waitFor();
      await visitor.getByText('Bea Agent joined the chat').waitFor();

      // Typing, both ways.
      await box.pressSequentially('One more');
      await agent.getByText('The visitor is typing…').waitFor();
      await box.fill('');
      const reply = agent.getByLabel('Message to the visitor');
      await reply.pressSequentially('Let me');
      await visitor.getByText('Bea Agent is typing…').waitFor();
      await agent.getByLabel('Canned response').selectOption({ label: 'Greeting' });
      await expect.poll(() => reply.inputValue()).toBe('Let me Hi Vera, thanks for waiting!');
      await reply.fill('Hi Vera, let me check your invoice.');
      await agent.getByRole('button', { name: 'Send' }).click();
      await visitor.getByText('Hi Vera, let me check your invoice.').waitFor();
      await expect.poll(() => visitor.getByText('Bea Agent is typing…').count()).toBe(0);

      // A file from the visitor.
      await visitor.getByLabel('Attach a file').setInputFiles({ name: 'invoice-4411.txt', mimeType: 'text/plain', buffer: Buffer.from('Invoice 4411: 120 EUR') });
      await agent.getByRole('link', { name: 'File: invoice-4411.txt' }).waitFor();
      await screenshot(agent, 'chat-02-console');

      // The visitor's tab goes away; the agent writes meanwhile; the page comes back with everything.
      await visitor.close();
      await agent.getByLabel('Message to the visitor').fill('Found it: a refund of 20 EUR is on its way.');
      await agent.getByRole('button', { name: 'Send' }).click();
      await agent.getByText('Found it: a refund of 20 EUR is on its way.').waitFor();
      visitor = await visitorContext.newPage();
      await visitor.goto(`${siteUrl}/pricing`);
      for (const line of ['Hello, my invoice shows the wrong amount', 'Hi Vera, let me check your invoice.', 'Found it: a refund of 20 EUR is on its way.']) {
        await visitor.getByText(line).waitFor();
      }
      await expect.poll(() => visitor.getByText('Hello, my invoice shows the wrong amount').count()).toBe(1);
      await visitor.getByLabel('Your message').fill('Great, thank you!');
      await visitor.getByLabel('Your message').press('Enter');
      await agent.getByText('Great, thank you!').waitFor();
      await screenshot(visitor, 'chat-03-widget');

      // One click: the chat becomes a ticket and the agent lands on it.
      await agent.getByRole('button', { name: 'Convert to ticket' }).click();
      await agent.waitForURL(/\/tickets\/\d+$/);
      const number = Number(/\/tickets\/(\d+)$/.exec(agent.url())![1]);
      await visitor.getByText('This chat has ended. Thank you!').waitFor();
      await visitor.getByText(`This conversation is now ticket #${number}`).waitFor();

      const ticket = await api.call<Ticket>('GET', `/api/v1/tickets/${number}`);
      expect(ticket).toMatchObject({ channel: 'chat', groupId: mailboxGroupId, requester: { email: 'vera@visitor.test', name: 'Vera Visitor' }, assignee: { name: 'Bea Agent' } });
      const messages = await messagesOf(number);
      const transcript = JSON.stringify(messages.find((m) => m.kind === 'customer'));
      for (const line of ['Vera Visitor: Hello, my invoice shows the wrong amount', 'Bea Agent: Hi Vera, let me check your invoice.', 'Bea Agent joined the chat', 'Vera Visitor: Great, thank you!']) {
        expect(transcript).toContain(line);
      }
      expect(messages.find((m) => m.kind === 'customer')!.attachments.map((a) => a.filename)).toEqual(['invoice-4411.txt']);
      const note = JSON.stringify(messages.find((m) => m.kind === 'note'));
      expect(note).toContain(`${siteUrl}/pricing`);
      expect(note).toContain('fr-FR');
      expect(JSON.stringify(await api.call('GET', `/api/v1/tickets/${number}/events`))).toContain('chat_converted');
    });

    it('a chat the visitor leaves before anyone answers becomes a ticket by itself', async () => {
      await visitorContext.close();
      // Leaving the console (to the ticket) made the agent unavailable; coming back makes her available again.
      await agent.goto(`${server.url}/chat`);
      await expect.poll(async () => (await fetch(`${server.url}/api/v1/chat/visitor/config`).then((r) => r.json())).online).toBe(true);
      visitorContext = await browser.newContext();
      visitorContext.setDefaultTimeout(10_000);
      visitor = await visitorContext.newPage();
      await visitor.goto(`${siteUrl}/contact`);
      await visitor.getByRole('button', { name: 'Chat', exact: true }).click();
      const pre = visitor.getByRole('form', { name: 'Start a chat' });
      await pre.getByLabel('Your name').fill('Walt Waiting');
      await pre.getByLabel('Your email').fill('walt@visitor.test');
      await pre.getByRole('button', { name: 'Start chat' }).click();
      await visitor.getByLabel('Your message').fill('Is the blue model in stock?');
      await visitor.getByLabel('Your message').press('Enter');
      await agent.getByRole('region', { name: 'Waiting' }).getByText('Walt Waiting').waitFor();
      await visitor.getByRole('button', { name: 'End chat' }).click();
      await visitor.getByText('This chat has ended. Thank you!').waitFor();
      await expect.poll(() => agent.getByRole('region', { name: 'Waiting' }).getByText('Walt Waiting').count()).toBe(0);
      const converted = await api.call<{ items: { visitorName: string; ticketNumber: number; endReason: string }[] }>('GET', '/api/v1/chat/sessions?status=converted');
      const walt = converted.items.find((s) => s.visitorName === 'Walt Waiting')!;
      const ticket = await api.call<Ticket>('GET', `/api/v1/tickets/${walt.ticketNumber}`);
      expect(ticket).toMatchObject({ channel: 'chat', requester: { email: 'walt@visitor.test' }, assignee: null });
      expect(ticket.tags).toContain('chat-unanswered');
      expect(JSON.stringify(await messagesOf(walt.ticketNumber))).toContain('Is the blue model in stock?');
      expect(pageErrors).toEqual([]);
    });
  });
});
