import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialJs } from './support/bundle-size.js';
import { startServer, type E2eServer } from './support/e2e-server.js';

let server: E2eServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.stop());

describe('the server serves the built workspace', () => {
  it('answers every app path with index.html under a strict CSP, never cached', async () => {
    for (const path of ['/', '/views/my_open', '/tickets/42?x=1', '/admin/users']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      expect(html).toContain('<div id="root"></div>');
      // The one inline script (the first screen's early requests) is allowed by its hash alone.
      const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      expect(inline).toHaveLength(1);
      expect(csp).toContain(`'sha256-${createHash('sha256').update(inline[0]!).digest('base64')}'`);
    }
  });

  it('caches hashed assets for a year and 404s missing ones', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const res = await fetch(`${server.url}${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${server.url}/assets/nope-123.js`)).status).toBe(404);
  });

  it('keeps unknown API paths as JSON 404s, not the app', async () => {
    const res = await fetch(`${server.url}/api/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('keeps the initial JavaScript of the inbox route within 250 KB gzip', () => {
    const size = initialJs();
    expect(size.files.length).toBeGreaterThan(0);
    console.log(`initial JS: ${size.files.join(', ')} = ${(size.rawBytes / 1024).toFixed(1)} KB raw, ${(size.gzipBytes / 1024).toFixed(1)} KB gzip`);
    expect(size.gzipBytes).toBeLessThanOrEqual(250 * 1024);
  });
});
