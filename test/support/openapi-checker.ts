import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import type { AppInstance } from '../../server/platform/http/types.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

interface JsonSchema {
  [k: string]: unknown;
}
interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: JsonSchema }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw payload (multipart, MIME); the body is then not checked against the document. */
  payload?: string | Buffer;
}

/**
 * Every response Tessera sends carries its times as the store keeps them: UTC with milliseconds.
 * A looser "date-time" would let one dialect answer "2026-03-02 09:00:00" and the other
 * "2026-03-02T09:00:00.000Z" and both pass.
 */
const UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every `...At` string in a body, wherever the schema calls it only "string". */
function* timestamps(node: unknown, path = '$'): Generator<[string, string]> {
  if (Array.isArray(node)) for (const [i, v] of node.entries()) yield* timestamps(v, `${path}[${i}]`);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string' && /[a-z]At$/.test(k)) yield [`${path}.${k}`, v];
      else yield* timestamps(v, `${path}.${k}`);
    }
  }
}

/** OpenAPI 3.0 writes exclusive bounds as draft-04 booleans; ajv speaks draft-07. */
function toDraft7(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toDraft7);
  if (node === null || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, toDraft7(v)])) as JsonSchema;
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag]) out[flag] = out[bound];
      else delete out[flag];
      if (out[flag] !== undefined) delete out[bound];
    }
  }
  return out;
}

/**
 * Drives the app as a client generated from GET /api/v1/openapi.json would, and records every
 * place where the server and its document disagree: an undocumented route or status code, a
 * body that does not match the schema documented for its status, a request the server took
 * that the document forbids.
 */
export class OpenApiChecker {
  readonly problems: string[] = [];
  private readonly exercised = new Set<string>();
  private readonly responseAjv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: true });
  private readonly requestAjv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: true });
  private readonly compiled = new Map<object, ValidateFunction>();
  private readonly routes: { method: string; template: string; regex: RegExp; literals: number; op: Operation }[] = [];

  constructor(
    private readonly app: AppInstance,
    readonly doc: OpenApiDocument,
  ) {
    addFormats(this.requestAjv);
    addFormats(this.responseAjv);
    this.responseAjv.addFormat('date-time', UTC_MILLIS);
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '([^/]+)');
        this.routes.push({ method: method.toUpperCase(), template, regex: new RegExp(`^${pattern}$`), literals: template.split('/').filter((s) => !s.startsWith('{')).length, op });
      }
    }
  }

  /** Documented operations, as "METHOD /path/{param}". */
  operations(): string[] {
    return this.routes.map((r) => `${r.method} ${r.template}`);
  }

  notExercised(): string[] {
    return this.operations().filter((o) => !this.exercised.has(o));
  }

  private validator(ajv: Ajv, schema: JsonSchema): ValidateFunction {
    let v = this.compiled.get(schema);
    if (!v) {
      v = ajv.compile(toDraft7(schema) as JsonSchema);
      this.compiled.set(schema, v);
    }
    return v;
  }

  /** Component references (the shared Error schema) resolved in place. */
  private resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const name = ref.replace('#/components/schemas/', '');
    const target = this.doc.components?.schemas?.[name];
    if (!target) throw new Error(`the document refers to a missing schema ${ref}`);
    return target;
  }

  private find(method: string, path: string) {
    // Like the router: a literal segment beats a parameter (/tickets/bulk before /tickets/{number}).
    const matches = this.routes.filter((r) => r.method === method && r.regex.test(path)).sort((a, b) => b.literals - a.literals);
    return matches[0];
  }

  private complain(where: string, what: string): void {
    this.problems.push(`${where}: ${what}`);
  }

  async call(c: Call): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(c.token ? { authorization: `Bearer ${c.token}` } : {}), ...c.headers };
    const res = await this.app.inject({ method: c.method, url: c.url, headers, ...(c.payload !== undefined ? { payload: c.payload } : c.body !== undefined ? { payload: c.body as object } : {}) });
    this.check(c, res);
    return res;
  }

  private check(c: Call, res: LightMyRequestResponse): void {
    const [path = '', search = ''] = c.url.split('?');
    const route = this.find(c.method, path);
    const where = `${c.method} ${c.url.slice(0, 120)} -> ${res.statusCode}`;
    if (!route) {
      if (res.statusCode !== 404) this.complain(where, 'served but not in the OpenAPI document');
      return;
    }
    this.exercised.add(`${route.method} ${route.template}`);
    const ok = res.statusCode >= 200 && res.statusCode < 300;

    // The request: what the server accepted must be something the document allows.
    if (ok) {
      const query = new URLSearchParams(search);
      for (const p of route.op.parameters ?? []) {
        if (p.in !== 'query') continue;
        const value = query.get(p.name);
        if (value === null) {
          if (p.required) this.complain(where, `accepted without the required query parameter ${p.name}`);
          continue;
        }
        const schema = p.schema;
        const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : schema.type === 'boolean' ? value === 'true' : value;
        const v = this.validator(this.requestAjv, schema);
        if (!v(typed)) this.complain(where, `accepted query ${p.name}=${value} that the document refuses: ${this.requestAjv.errorsText(v.errors)}`);
      }
      for (const name of query.keys()) {
        if (!(route.op.parameters ?? []).some((p) => p.in === 'query' && p.name === name)) this.complain(where, `accepted undocumented query parameter ${name}`);
      }
      if (c.body !== undefined && c.payload === undefined) {
        const schema = route.op.requestBody?.content['application/json']?.schema;
        if (!schema) this.complain(where, 'accepted a JSON body the document does not describe');
        else {
          const v = this.validator(this.requestAjv, schema);
          if (!v(c.body)) this.complain(where, `accepted a body the document refuses: ${this.requestAjv.errorsText(v.errors)}`);
        }
      }
    }

    // The response: its status must be documented, and its body match that status's schema.
    // `default` stands for errors only: a success a client cannot name is still undocumented.
    const documented = route.op.responses[String(res.statusCode)] ?? (res.statusCode >= 400 ? route.op.responses.default : undefined);
    if (!documented) {
      this.complain(where, `status ${res.statusCode} is not documented (documented: ${Object.keys(route.op.responses).join(', ')}) ${res.body.slice(0, 200)}`);
      return;
    }
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
    const content = documented.content;
    if (!content) {
      if (res.body.length > 0 && res.statusCode !== 204) this.complain(where, `answered ${type} but the document gives no content for ${res.statusCode}`);
      return;
    }
    const media = content[type] ?? content['*/*'];
    if (!media) {
      this.complain(where, `answered ${type}; the document gives ${Object.keys(content).join(', ')}`);
      return;
    }
    if (type !== 'application/json') return;
    const schema = media.schema;
    if (!schema || Object.keys(schema).length === 0) {
      this.complain(where, 'the document gives no schema for this JSON answer');
      return;
    }
    const v = this.validator(this.responseAjv, this.resolve(schema));
    const body: unknown = res.json();
    if (!v(body)) this.complain(where, `body does not match the document: ${this.responseAjv.errorsText(v.errors?.slice(0, 5))} ${res.body.slice(0, 300)}`);
    for (const [path, value] of timestamps(body)) {
      if (!UTC_MILLIS.test(value)) this.complain(where, `${path} = ${value} is not a UTC time with milliseconds`);
    }
  }
}
