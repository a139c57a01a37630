import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

/**
 * Outgoing HTTP to addresses admins type in (webhooks, issue trackers), guarded against SSRF:
 * the host is resolved first and every address checked; the connection is pinned to the checked
 * address (a second resolution could answer differently: DNS rebinding); redirects are followed
 * here, a few at most, each target checked the same way.
 */

const blocked = new BlockList();
const V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
// NAT64 and 6to4 addresses embed an IPv4 one: refused whole rather than decoded. IPv4-mapped ones
// (::ffff:a.b.c.d) need no entry: BlockList checks them against the IPv4 rules.
const V6: [string, number][] = [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
  ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];
for (const [net, prefix] of V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of V6) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is publicly routable (not private, loopback, link-local, reserved …). */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return !blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
}

export interface SafeRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  body?: string | undefined;
  allowPrivate: boolean;
  /** The address policy when private targets are not allowed (tests stand a loopback address in for a public one). */
  addressAllowed?: ((ip: string) => boolean) | undefined;
  timeoutMs?: number | undefined;
  maxRedirects?: number | undefined;
}

export interface SafeResponse {
  status: number;
  body: string;
  /** The URL that answered, after redirects. */
  url: string;
}

const MAX_BODY = 64 * 1024;

const LOOPBACK = ['127.0.0.1', '::1'];
const isLocalhostName = (host: string): boolean => /(^|\.)localhost\.?$/i.test(host);

/** Refuses what is not http(s), carries credentials, or is a literal private address or a localhost name. */
export function checkTargetUrl(raw: string, allowPrivate: boolean, addressAllowed: (ip: string) => boolean = isPublicAddress): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefusedError(`not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefusedError(`only http and https are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw new TargetRefusedError('credentials in the URL are not allowed; use a header');
  const host = bareHost(url);
  if (!allowPrivate && isIP(host) && !addressAllowed(host)) throw new TargetRefusedError(`${host} is a private, loopback or link-local address`);
  // localhost names mean this machine (RFC 6761) whatever DNS says: refused as the loopback
  // addresses they stand for, when saved as well as (before any lookup) at delivery.
  if (!allowPrivate && isLocalhostName(host) && LOOPBACK.some((ip) => !addressAllowed(ip))) throw new TargetRefusedError(`${host} is a loopback name: localhost and its subdomains always mean this machine`);
  return url;
}

const bareHost = (url: URL): string => (url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname);

/** Resolves the host and returns one checked address; every address must be public (unless allowed). */
async function resolveChecked(url: URL, allowPrivate: boolean, addressAllowed: (ip: string) => boolean): Promise<{ address: string; family: number }> {
  const host = bareHost(url);
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await lookup(host, { all: true, verbatim: true }).catch((err: Error) => {
    throw new Error(`cannot resolve ${host}: ${err.message}`);
  });
  // One address is pinned for the connection; IPv4 first, as most hosts listen there.
  const first = addresses.find((a) => a.family === 4) ?? addresses[0];
  if (!first) throw new Error(`cannot resolve ${host}`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => !addressAllowed(a.address));
    if (bad) throw new TargetRefusedError(`${host} resolves to ${bad.address}, a private, loopback or link-local address`);
  }
  return first;
}

function once(url: URL, pinned: { address: string; family: number }, req: SafeRequest, method: string, body: string | undefined): Promise<{ status: number; location: string | null; body: string }> {
  const pin: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else cb(null, pinned.address, pinned.family);
  };
  const mod = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'user-agent': 'Tessera-Webhooks/1', ...req.headers };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const r = mod.request(url, { method, headers, lookup: pin, agent: false, timeout: req.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY) }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`no answer within ${req.timeoutMs ?? 10_000} ms`)));
    r.on('error', reject);
    r.end(body);
  });
}

/** One request with the checks above; throws TargetRefusedError for a refused target, Error for network failures. */
export async function safeRequest(req: SafeRequest): Promise<SafeResponse> {
  const allowed = req.addressAllowed ?? isPublicAddress;
  let url = checkTargetUrl(req.url, req.allowPrivate, allowed);
  let method: string = req.method;
  let body = req.body;
  const max = req.maxRedirects ?? 3;
  for (let hop = 0; ; hop++) {
    const pinned = await resolveChecked(url, req.allowPrivate, allowed);
    const res = await once(url, pinned, req, method, body);
    if (![301, 302, 303, 307, 308].includes(res.status) || !res.location) return { status: res.status, body: res.body, url: url.toString() };
    if (hop >= max) throw new Error(`more than ${max} redirects`);
    url = checkTargetUrl(new URL(res.location, url).toString(), req.allowPrivate, allowed);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
}
