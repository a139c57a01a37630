import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyContextConfig } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CODES, errorResponseSchema } from '../../../contracts/errors.js';

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;
type TransformObject = NonNullable<FastifyDynamicSwaggerOptions['transformObject']>;
type Json = Record<string, unknown>;

const WRITES = new Set(['post', 'put', 'patch', 'delete']);
const HTTP_METHODS = new Set(['get', 'head', 'options', ...WRITES]);

/**
 * Per route, on top of the zod conversion: a public route (config.auth 'public') needs no
 * credentials, so it says so with an empty security list instead of inheriting the global one.
 */
export const openApiTransform: Transform = (input) => {
  const out = jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]) as { schema: Json; url: string };
  const route = input.route as { config?: FastifyContextConfig; wsHandler?: unknown } | undefined;
  const config = route?.config;
  if (!out.schema || out.schema.hide) return out;
  // A socket answers an Upgrade with 101; a plain GET is refused. There is no 200 to promise.
  if (typeof route?.wsHandler === 'function') out.schema = { ...out.schema, response: { 101: { type: 'null', description: 'Switching Protocols: the connection is now a WebSocket' } } };
  if (config?.auth === 'public') out.schema = { ...out.schema, security: [] };
  const body = config?.openapiBody;
  if (body) out.schema = { ...out.schema, body: toJson(body.schema as z.ZodType, 'input'), consumes: [body.mediaType] };
  return out;
};

function toJson(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _s, ...json } = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Json;
  return json;
}

const errorSchema = toJson(errorResponseSchema, 'output');

const errorDescriptions = (status: number): string =>
  Object.entries(ERROR_CODES)
    .filter(([, v]) => v.status === status)
    .map(([code]) => code)
    .join(', ');

const errorResponse = (status: number | 'default') => ({
  description: status === 'default' ? 'Any other error (408, 422 target_refused, 429 rate_limited, 431, 500 internal …)' : `Error: ${errorDescriptions(status)}`,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * OpenAPI 3.0 ignores `nullable` on a schema without `type`, so zod's nullable union
 * (`{ anyOf: [...], nullable: true }`) would read as "never null" to a generator and to
 * validators. Each branch carries the flag instead.
 */
function fixNullableUnions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixNullableUnions);
  if (node === null || typeof node !== 'object') return node;
  const obj = Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, fixNullableUnions(v)])) as Json;
  if (obj.nullable === true && obj.type === undefined && Array.isArray(obj.anyOf)) {
    const { nullable: _n, ...rest } = obj;
    return { ...rest, anyOf: (obj.anyOf as Json[]).map((b) => ({ ...b, nullable: true })) };
  }
  return obj;
}

/**
 * The whole document: every operation lists the errors it can answer with, in the one error shape
 * the error handler sends (`{ error: { code, message, details } }`). 400 everywhere (a bad
 * request or URL), 401/403 unless public, 404 where the path names something, 409/413/415 on
 * writes (a unique value taken, the body too big or of the wrong type), and `default` for the rest.
 */
export const openApiTransformObject: TransformObject = (input) => {
  const doc = fixNullableUnions((input as { openapiObject: Json }).openapiObject) as Json & {
    paths?: Record<string, Record<string, { security?: unknown[]; parameters?: { in: string }[]; responses?: Record<string, unknown> }>>;
    components?: Json;
  };
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (!HTTP_METHODS.has(method)) continue;
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      const statuses: number[] = [400];
      if (!isPublic) statuses.push(401, 403);
      if (path.includes('{')) statuses.push(404);
      if (WRITES.has(method)) statuses.push(409, 413, 415);
      const responses = { ...op.responses };
      for (const s of statuses) responses[String(s)] ??= errorResponse(s);
      responses.default ??= errorResponse('default');
      op.responses = responses;
    }
  }
  doc.components = { ...doc.components, schemas: { ...((doc.components?.schemas as Json | undefined) ?? {}), Error: errorSchema } };
  return doc as ReturnType<TransformObject>;
};
