import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- walks the OpenAPI document, which is untyped JSON */

/** Path segments no id or number can be: malformed, out of range, hostile, too long. */
const BAD_SEGMENTS = ['0', '-1', 'abc', '99999999999999999999', '1.5', '%F0%9F%92%A9', 'x'.repeat(300), '00000000-0000-0000-0000-000000000000', '%00', "1'or'1'='1", '%E0%A4%A'];
const BAD_QUERY = ['abc', '-1', '99999999999999999999', '', 'x'.repeat(5000), '1.5', '%00'];
const RAW_BODIES = ['{', 'null', '[]', '"x"', '1', '{"__proto__":{"admin":true}}', `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`];
/** Values of the wrong type (or an unstorable or oversized one) for a field of each JSON type. */
const WRONG: Record<string, unknown[]> = {
  string: [123, true, [], {}, null, 'x'.repeat(200_000), 'a\u0000b', 'a\ud800b', 'b\udc00'],
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
    else if (res.statusCode >= 400 && url.startsWith('/api/') && !(isJson && typeof res.json().error?.code === 'string' && typeof res.json().error?.message === 'string' && 'details' in res.json().error)) {
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

const BOUNDARY = '----tessera-bad-input';
const MB = 1024 * 1024; // the test app's TESSERA_MAX_ATTACHMENT_MB

/** One multipart part, closed unless told otherwise. */
function multipart(o: { field?: string; filename?: string; content: Buffer | string; close?: boolean }): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${o.field ?? 'file'}"; filename="${o.filename ?? 'notes.txt'}"\r\nContent-Type: text/plain\r\n\r\n`, 'latin1'),
    Buffer.isBuffer(o.content) ? o.content : Buffer.from(o.content),
    Buffer.from(o.close === false ? '' : `\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** Every file under the blob store, temp files included: what an upload left on disk. */
function filesOnDisk(root: string): string[] {
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => statSync(join(root, f)).isFile()).sort();
}

describeEachDialect('bad uploads, cursors, ticket numbers and subjects', (dialect) => {
  let t: TestApp;
  let ticket: { number: number };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ticket = await createTicket(t.admin, { subject: 'First' });
    await createTicket(t.admin, { subject: 'Second' });
    await createTicket(t.admin, { subject: 'Third' });
  });
  afterAll(() => t.close());

  const upload = (payload: Buffer | string, contentType = `multipart/form-data; boundary=${BOUNDARY}`) =>
    t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': contentType }, payload });
  const attachmentRows = async () => Number((await sql<{ n: number | string }>`select count(*) as n from attachments`.execute(t.deps.database.db)).rows[0]!.n);
  const fieldsOf = (res: { json(): any }) => res.json().error.details.fields.map((f: { path: string }) => f.path);

  it('a file over the limit is refused with 413 and leaves no row and no blob, not even a cut-off one', async () => {
    // Exactly the limit is allowed; the cut-off copy of the bigger file would be these very bytes.
    const atLimit = await upload(multipart({ content: Buffer.alloc(MB, 1) }));
    expect(atLimit.statusCode).toBe(201);
    const rows = await attachmentRows();
    const disk = filesOnDisk(t.deps.blobs.root);

    for (const fill of [1, 2]) {
      const big = await upload(multipart({ content: Buffer.alloc(MB + 10, fill) }));
      expect(big.statusCode).toBe(413);
      expect(big.json().error.code).toBe('payload_too_large');
    }
    expect(await attachmentRows()).toBe(rows);
    expect(filesOnDisk(t.deps.blobs.root)).toEqual(disk);
    // The earlier upload that shares the bytes is untouched.
    const dl = await t.admin.get(atLimit.json().url);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.length).toBe(MB);
  });

  it('a malformed multipart body is a 400 naming the body, and stores nothing', async () => {
    const rows = await attachmentRows();
    const disk = filesOnDisk(t.deps.blobs.root);
    const noBoundary = await upload(multipart({ content: 'hello' }), 'multipart/form-data');
    const unterminated = await upload(multipart({ content: 'hello', close: false }));
    for (const res of [noBoundary, unterminated]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      expect(fieldsOf(res)).toEqual(['body']);
    }
    expect(noBoundary.json().error.message).toMatch(/multipart/);
    expect(await attachmentRows()).toBe(rows);
    expect(filesOnDisk(t.deps.blobs.root)).toEqual(disk);
  });

  it('refuses a file name with control characters, an empty file and a file in another field, naming file', async () => {
    const rows = await attachmentRows();
    const disk = filesOnDisk(t.deps.blobs.root);
    const refused = {
      nul: await upload(multipart({ filename: 'a\u0000b.txt', content: 'x' })),
      escape: await upload(multipart({ filename: 'a\u001b[31mb.txt', content: 'x' })),
      empty: await upload(multipart({ content: '' })),
      otherField: await upload(multipart({ field: 'upload', content: 'x' })),
      // Two files in one request: both would have to be answered, and only one was.
      twoFiles: await upload(Buffer.concat([multipart({ filename: 'a.txt', content: 'first', close: false }), Buffer.from('\r\n'), multipart({ filename: 'b.txt', content: 'second' })])),
    };
    for (const [what, res] of Object.entries(refused)) {
      expect(res.statusCode, what).toBe(400);
      expect(res.json().error.code, what).toBe('validation_failed');
      expect(fieldsOf(res), what).toEqual(['body.file']);
    }
    expect(refused.empty.json().error.message).toMatch(/empty/);
    expect(refused.otherField.json().error.message).toMatch(/"file"/);
    expect(refused.twoFiles.json().error.message).toMatch(/one file per request/);
    expect(await attachmentRows()).toBe(rows);
    expect(filesOnDisk(t.deps.blobs.root)).toEqual(disk);
    // The same file, properly sent, is taken.
    const ok = await upload(multipart({ filename: 'ab.txt', content: 'x' }));
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ filename: 'ab.txt', size: 1 });
  });

  it('a ticket-list cursor only continues the list it came from: another sort, filter or view is a 400', async () => {
    const first = await t.admin.get('/api/v1/tickets?limit=1');
    const cursor = first.json().nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const next = await t.admin.get(`/api/v1/tickets?limit=1&cursor=${cursor}`);
    expect(next.statusCode).toBe(200);
    expect(next.json().items).toHaveLength(1);
    expect(next.json().items[0].number).not.toBe(first.json().items[0].number);

    const view = await t.admin.post('/api/v1/views', { name: 'Open ones', query: 'status:open' });
    expect(view.statusCode).toBe(201);
    for (const other of ['sort=number_asc', 'sort=created_asc', 'sort=updated_asc', 'q=status:open', `view=${view.json().id}`]) {
      const res = await t.admin.get(`/api/v1/tickets?limit=1&${other}&cursor=${cursor}`);
      expect(res.statusCode, other).toBe(400);
      expect(res.json().error.message, other).toMatch(/^cursor: /);
    }
    // The other way round too: a number_asc cursor in the default (time) order.
    const byNumber = (await t.admin.get('/api/v1/tickets?limit=1&sort=number_asc')).json().nextCursor as string;
    expect((await t.admin.get(`/api/v1/tickets?limit=1&sort=number_asc&cursor=${byNumber}`)).statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/tickets?limit=1&cursor=${byNumber}`)).statusCode).toBe(400);
  });

  it('every cursor names its list: a ticket-events cursor is refused by the outbox and inbound mail lists', async () => {
    await t.admin.patch(`/api/v1/tickets/${ticket.number}`, { priority: 'high' });
    const events = await t.admin.get(`/api/v1/tickets/${ticket.number}/events?limit=1`);
    const cursor = events.json().nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    for (const url of ['/api/v1/mail/outbox', '/api/v1/mail/inbound', '/api/v1/tickets', '/api/v1/contacts', '/api/v1/notifications']) {
      const res = await t.admin.get(`${url}?cursor=${cursor}`);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(/^cursor: /);
    }
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}/events?limit=1&cursor=${cursor}`)).statusCode).toBe(200);
  });

  it('a ticket number in a path is plain digits: 1e0, 0x1, 1.0, " 1" or 1e3 are a 400 naming params.number', async () => {
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}`)).json().number).toBe(ticket.number);
    for (const segment of ['1e0', '0x1', '1.0', '%201', '1%20', '+1', '01', '1e3', '9007199254740993']) {
      for (const url of [`/api/v1/tickets/${segment}`, `/api/v1/tickets/${segment}/messages`, `/api/v1/tickets/${segment}/events`]) {
        const res = await t.admin.get(url);
        expect(res.statusCode, url).toBe(400);
        expect(fieldsOf(res), url).toEqual(['params.number']);
      }
    }
  });

  it('a body is JSON: text/plain is a 415 like any other type; an empty body labelled JSON is no body', async () => {
    const send = (method: 'POST' | 'DELETE', url: string, contentType: string, payload: string) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': contentType }, payload });
    const json = JSON.stringify({ subject: 'Labelled text', requester: { email: 'plain@customer.test' }, message: { body: 'Hi' } });
    const plain = await send('POST', '/api/v1/tickets', 'text/plain', json);
    expect([plain.statusCode, plain.json().error.code]).toEqual([415, 'unsupported_media_type']);
    const empty = await send('POST', '/api/v1/tickets', 'application/json', '');
    expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'validation_failed']);
    const org = (await t.admin.post('/api/v1/organizations', { name: 'Header Everywhere Inc' })).json();
    expect((await send('DELETE', `/api/v1/organizations/${org.id}`, 'application/json', '')).statusCode).toBe(200);
    expect((await send('POST', '/api/v1/tickets', 'application/json', json)).statusCode).toBe(201);
  });

  it('an unknown query parameter is refused as an unknown body field is, naming it', async () => {
    const guessed = await t.admin.get('/api/v1/tickets?status=open&limit=5');
    expect([guessed.statusCode, guessed.json().error.details.fields]).toEqual([400, [{ path: 'querystring.status', message: 'unknown field' }]]);
    expect((await t.admin.get('/api/v1/contacts?limit=5&foo=bar')).statusCode).toBe(400);
    expect((await t.admin.get('/api/v1/tickets?q=status:open&limit=5')).statusCode).toBe(200);
  });

  it('a first message empty once formatted is named message.body, for one ticket as in a batch', async () => {
    for (const body of ['   ', '<p> </p>']) {
      const one = await t.admin.post('/api/v1/tickets', { subject: 'Empty', requester: { email: 'empty@customer.test' }, message: { body, format: 'html' } });
      expect([one.statusCode, fieldsOf(one)], body).toEqual([400, ['message.body']]);
    }
  });

  it('a subject of invisible characters only is blank; inside real text they are kept', async () => {
    for (const subject of ['\u00a0\u200b', '\u200b\u200c\u200d', '\u2060\ufeff', ' \u200e ']) {
      const created = await t.admin.post('/api/v1/tickets', { subject, requester: { email: 'zw@customer.test' }, message: { body: 'Hi' } });
      expect(created.statusCode, JSON.stringify(subject)).toBe(400);
      expect(fieldsOf(created)).toEqual(['body.subject']);
      const patched = await t.admin.patch(`/api/v1/tickets/${ticket.number}`, { subject });
      expect(patched.statusCode, JSON.stringify(subject)).toBe(400);
      expect(fieldsOf(patched)).toEqual(['body.subject']);
    }
    const kept = await createTicket(t.admin, { subject: '\u200bZero\u200bwidth inside\u200d ' });
    expect(kept.subject).toBe('Zero\u200bwidth inside');
  });
});
