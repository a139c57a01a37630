import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { ADMIN, ApiSession, startServer, type E2eServer } from './e2e-server.js';

/** A fresh server, the admin's API session and one browser page: what most screen tests start from. */
export interface AdminBrowser {
  server: E2eServer;
  api: ApiSession;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function openAdminBrowser(viewport = { width: 1366, height: 860 }): Promise<AdminBrowser> {
  const server = await startServer();
  const api = await ApiSession.signIn(server.url, ADMIN.email, ADMIN.password);
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return {
    server,
    api,
    browser,
    page,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}
