#!/usr/bin/env node
// Builds the agent workspace (web/) into web/dist when it is missing or older than its sources,
// so `npm start` and the browser tests always serve what the tree holds. A lock directory keeps
// two callers (two test workers, or start + test) from building into the same folder at once.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const web = join(repo, 'web');
const marker = join(web, 'dist', 'index.html');
const lock = join(web, '.build-lock');
const SOURCES = [join(web, 'src'), join(web, 'public'), join(web, 'index.html'), join(web, 'vite.config.ts'), join(repo, 'contracts'), join(repo, 'package-lock.json')];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

// Stand-alone scripts for customers' sites (the chat widget), bundled by esbuild next to the SPA.
const EMBEDS = [{ entry: join(web, 'src', 'widget', 'widget.ts'), out: join(web, 'dist', 'widget.js') }];

export function webBuildIsFresh() {
  if (!existsSync(marker)) return false;
  if (!EMBEDS.every((e) => existsSync(e.out))) return false;
  const built = statSync(marker).mtimeMs;
  return SOURCES.every((s) => newest(s) <= built);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function takeLock() {
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock left by a killed build is taken over after five minutes.
      if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (waited > 10 * 60_000) throw new Error(`Timed out waiting for another web build (${lock})`);
      await sleep(250);
    }
  }
}

export async function buildWebIfNeeded({ quiet = false } = {}) {
  if (webBuildIsFresh()) return false;
  await takeLock();
  try {
    // Another process may have built it while we waited for the lock.
    if (webBuildIsFresh()) return false;
    if (!quiet) console.log('Building the web app (web/ -> web/dist) ...');
    // Test runners set NODE_ENV=test, which would make Vite emit React's development build.
    process.env.NODE_ENV = 'production';
    const { build } = await import('vite');
    await build({ configFile: join(web, 'vite.config.ts'), mode: 'production', logLevel: quiet ? 'error' : 'warn' });
    const esbuild = await import('esbuild');
    for (const e of EMBEDS) {
      await esbuild.build({ entryPoints: [e.entry], outfile: e.out, bundle: true, minify: true, format: 'iife', target: 'es2019', legalComments: 'none', logLevel: quiet ? 'error' : 'warning' });
    }
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  if (force && existsSync(marker)) rmSync(marker);
  buildWebIfNeeded().then(
    (built) => {
      if (!built) console.log('Web app is up to date (web/dist).');
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
