import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors.js';

/**
 * Serves the built agent workspace (web/dist, made by `npm start` or `npm run build:web`):
 * hashed assets cached for a year, index.html never cached and returned for every non-API path
 * so client-side routes survive a reload. Every page gets a strict CSP: scripts only from us;
 * inline styles are allowed (the mail frame and the dialog library need them); images may be
 * remote because mail HTML shows them once an agent clicks "Show images" (the server rewrote
 * them to data-src, and the mail frame adds its own tighter policy until then). The one inline
 * script of index.html (it starts the first screen's requests) is allowed by its hash.
 */
const webCsp = (scriptHashes: string[]) => [
  "default-src 'self'",
  ["script-src 'self'", ...scriptHashes].join(' '),
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https: http:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** CSP sources for the inline scripts of a page, by their SHA-256. */
const inlineScriptHashes = (html: string): string[] =>
  [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);

const DEFAULT_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
const SAFE_ROOT_FILE = /^\/[\w.-]+\.(svg|png|ico|txt|webmanifest|json)$/;

function securityHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Tessera</title>
<h1>Tessera</h1><p>The help desk API is running, but the web app has not been built.
Run <code>npm start</code> (it builds the app first) or <code>npm run build:web</code>.</p>
<ul><li><a href="/api/docs">API documentation</a></li><li><a href="/api/v1/openapi.json">OpenAPI document</a></li><li><a href="/api/health">Health</a></li></ul>`;

export async function registerStaticWeb(app: FastifyInstance, opts: { distDir?: string } = {}): Promise<void> {
  const dist = opts.distDir ?? DEFAULT_DIST;
  const built = existsSync(join(dist, 'index.html'));
  const csp = webCsp(built ? inlineScriptHashes(readFileSync(join(dist, 'index.html'), 'utf8')) : []);

  await app.register(async (web) => {
    web.addHook('onSend', async (request, reply, payload) => {
      if (!request.url.startsWith('/api/')) securityHeaders(reply, csp);
      return payload;
    });

    if (!built) {
      web.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').header('cache-control', 'no-cache').send(NOT_BUILT));
      return;
    }

    // Vite names assets by content hash, so a file under /assets/ never changes.
    await web.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: '/assets/',
      wildcard: true,
      index: false,
      maxAge: 365 * 24 * 3600 * 1000,
      immutable: true,
    });

    const spa = async (request: { url: string; method: string }, reply: FastifyReply) => {
      const path = request.url.split('?')[0]!;
      if (path === '/api' || path.startsWith('/api/')) throw new AppError('not_found', `No route for ${request.method} ${path}`);
      if (SAFE_ROOT_FILE.test(path) && existsSync(join(dist, path))) {
        return reply.header('cache-control', 'public, max-age=3600').sendFile(path.slice(1), dist, { cacheControl: false });
      }
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', dist, { cacheControl: false });
    };
    // Public: the page itself holds no data; an unknown /api path stays a 404, not a 401.
    web.get('/', { config: { auth: 'public' }, schema: { hide: true } }, spa);
    web.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, spa);
  });
}
