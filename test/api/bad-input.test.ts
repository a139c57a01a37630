import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- walks the OpenAPI document, which is untyped JSON */

/** Path segments no id or number can be: malformed, out of range, hostile, too long. */
const BAD_SEGMENTS = ['0', '-1', 'abc', '99999999999999999999', '1.5', '%F0%9F%92%A9', 'x'.repeat(300), '00000000-0000-0000-0000-000000000000', '%00', "1'or'1'='1", '%E0%A4%A'];
const BAD_QUERY = ['abc', '-1', '99999999999999999999', '', 'x'.repeat(5000), '1.5', '%00'];
const RAW_BODIES = ['{', 'null', '[]', '"x"', '1', '{"__proto__":{"admin":true}}'];
/** Values of the wrong type (or an unstorable or oversized one) for a field of each JSON type. */
const WRONG: Record<string, unknown[]> = {
  string: [123, true, [], {}, null, 'x'.repeat(200_000), 'a\u0000b'],
  integer: ['abc', 1.5, -1, 1e308, null, [], '99999999999999999999999'],
  number: ['abc', null, [], 1e308, -1e308],
  boolean: ['yes', 1, null],
  array: ['x', {}, null, [null], [123], [{}], ['a\u0000b'], Array.from({ length: 5000 }, (_, i) => `v${i}`)],
  object: ['x', [], null, 5],
};

interface Route {
  path: string;
  method: string;
  op: any;
}

/**
 * Every route of the OpenAPI document, fed what an integrator gets wrong: bad ids in the path,
 * bad query values, bodies that are not JSON objects, and each field of an otherwise valid body
 * set to a wrong type or an unstorable value. Each answer must be a 4xx (or a success, where the
 * value happens to be acceptable) in the one error shape, never a 500.
 */
async function sweep(t: TestApp, ticketNumber: number): Promise<{ failures: string[]; byStatus: Record<number, number> }> {
  const spec = (await t.admin.get('/api/v1/openapi.json')).json();
  const schemaOf = (s: any): any => (s?.$ref ? spec.components.schemas[s.$ref.split('/').pop()] : s);
  const failures: string[] = [];
  const byStatus: Record<number, number> = {};

  const call = async (method: string, url: string, body?: { json: unknown } | { raw: string }) => {
    const headers: Record<string, string> = { authorization: `Bearer ${t.admin.token}` };
    if (body) headers['content-type'] = 'application/json';
    const payload = body ? ('raw' in body ? body.raw : JSON.stringify(body.json)) : undefined;
    const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
    byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
    const what = `${res.statusCode} ${method} ${url.slice(0, 100)} ${payload?.slice(0, 120) ?? ''}`;
    const isJson = String(res.headers['content-type']).includes('application/json');
    if (res.statusCode >= 500) failures.push(`${what} -> ${res.body.slice(0, 160)}`);
    else if (res.statusCode >= 400 && url.startsWith('/api/') && !(isJson && typeof res.json().error?.code === 'string' && typeof res.json().error?.message === 'string')) {
      failures.push(`${what}: not the error shape -> ${res.body.slice(0, 160)}`);
    }
  };

  /** A minimal valid value for a schema: required fields only, plausible formats. */
  const example = (s0: any, depth = 0): unknown => {
    const s = schemaOf(s0);
    if (!s || depth > 6) return null;
    const alt = s.anyOf ?? s.oneOf;
    if (alt) return example(alt.find((x: any) => schemaOf(x).type !== 'null') ?? alt[0], depth + 1);
    if (s.enum) return s.enum[0];
    const type = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
    if (type === 'object' || s.properties) return Object.fromEntries((s.required ?? []).map((k: string) => [k, example(s.properties?.[k], depth + 1)]));
    if (type === 'array') return Array.from({ length: s.minItems ?? 1 }, () => example(s.items, depth + 1));
    if (type === 'integer' || type === 'number') return s.minimum ?? 1;
    if (type === 'boolean') return true;
    if (type !== 'string') return null;
    const byFormat: Record<string, string> = { email: 'sweep@example.test', uuid: '01900000-0000-7000-8000-000000000000', 'date-time': '2026-03-02T09:00:00.000Z', date: '2026-03-02', uri: 'https://example.test/x' };
    return byFormat[s.format] ?? 'sweep'.padEnd(s.minLength ?? 0, 'x');
  };
  const typeOf = (s0: any): string => {
    const s = schemaOf(s0);
    const alt = s.anyOf ?? s.oneOf;
    if (alt) return typeOf(alt.find((x: any) => schemaOf(x).type !== 'null') ?? alt[0]);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    return type ?? (s.enum ? 'string' : 'object');
  };

  // A real id for each collection, so body checks reach the service behind /things/{id}.
  const realIds = new Map<string, string>();
  const realId = async (collection: string): Promise<string> => {
    if (!realIds.has(collection)) {
      const res = await t.admin.get(collection.replace('{number}', String(ticketNumber)));
      let id = 'none';
      try {
        const j = res.json();
        const list: any[] = Array.isArray(j) ? j : (j.items ?? Object.values(j).find(Array.isArray) ?? []);
        id = String(list[0]?.id ?? list[0]?.key ?? list[0]?.name ?? 'none');
      } catch {
        // Not a JSON list: the sweep still sends bad ids to it.
      }
      realIds.set(collection, id);
    }
    return realIds.get(collection)!;
  };
  const urlOf = async (path: string, override?: { param: string; value: string }): Promise<string> => {
    let url = path;
    for (const [, param] of path.matchAll(/\{(\w+)\}/g)) {
      const value = override && param === override.param ? override.value : param === 'number' ? String(ticketNumber) : encodeURIComponent(await realId(path.slice(0, path.indexOf(`{${param}}`) - 1)));
      url = url.replace(`{${param}}`, value);
    }
    return url;
  };

  const routes: Route[] = Object.entries<any>(spec.paths).flatMap(([path, ops]) => Object.entries<any>(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
  // Deletes last, so the ids the other checks use still exist; sockets and sign-outs are not swept.
  const swept = routes.filter((r) => !r.path.endsWith('/ws') && !/logout|sign-out/.test(r.path)).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  for (const { path, method, op } of swept) {
    const hasBody = method !== 'GET' && method !== 'DELETE';
    for (const [, param] of path.matchAll(/\{(\w+)\}/g)) {
      for (const value of BAD_SEGMENTS) await call(method, await urlOf(path, { param: param!, value }), hasBody ? { json: {} } : undefined);
    }
    const url = await urlOf(path);
    for (const q of (op.parameters ?? []).filter((p: any) => p.in === 'query')) {
      for (const value of BAD_QUERY) await call(method, `${url}?${q.name}=${encodeURIComponent(value).replace('%2500', '%00')}`);
    }
    const body = schemaOf(op.requestBody?.content?.['application/json']?.schema);
    if (!body || !hasBody) continue;
    for (const raw of RAW_BODIES) await call(method, url, { raw });
    const props: Record<string, any> = schemaOf(body).properties ?? {};
    const minimal = example(body) as Record<string, unknown>;
    const full = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, example(s)]));
    for (const [field, s] of Object.entries(props)) {
      for (const wrong of WRONG[typeOf(s)] ?? WRONG.object!) {
        await call(method, url, { json: { ...minimal, [field]: wrong } });
        await call(method, url, { json: { ...full, [field]: wrong } });
      }
    }
  }
  return { failures, byStatus };
}

describeEachDialect('bad input on every route', (dialect) => {
  let t: TestApp;
  let ticket: { number: number; subject?: unknown };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ticket = await createTicket(t.admin, { subject: 'Keep this subject' });
  });
  afterAll(() => t.close());

  it('a NUL character anywhere is refused with a 400 naming the field, and nothing changes', async () => {
    const patch = await t.admin.patch(`/api/v1/tickets/${ticket.number}`, { subject: 'Evil\u0000subject', tags: ['ok', 'b\u0000d'] });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error.code).toBe('validation_failed');
    expect(patch.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body.subject', 'body.tags.1']);
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}`)).json()).toMatchObject({ subject: 'Keep this subject' });
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}`)).json().tags).not.toContain('ok');
    const search = await t.admin.get('/api/v1/tickets?q=%00');
    expect(search.statusCode).toBe(400);
    expect(search.json().error.details.fields[0].path).toBe('query.q');
  });

  it('a path segment longer than any id is a 404, a malformed escape a 400, both in the error shape', async () => {
    const long = await t.admin.get(`/api/v1/contacts/${'x'.repeat(300)}`);
    expect(long.statusCode).toBe(404);
    expect(long.json().error.code).toBe('not_found');
    const malformed = await t.admin.get('/api/v1/contacts/%E0%A4%A');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('bad_request');
  });

  it('every route of the API answers malformed ids, queries and bodies with a 4xx, never a 500', async () => {
    const { failures, byStatus } = await sweep(t, ticket.number);
    expect(failures).toEqual([]);
    // The sweep reached the services: most answers are refusals, and some requests were valid.
    expect(byStatus[400]).toBeGreaterThan(3000);
    expect((byStatus[200] ?? 0) + (byStatus[201] ?? 0)).toBeGreaterThan(50);
  }, 300_000);
});
