import { z } from 'zod';

export const isoDateTime = z.string().datetime({ offset: true });
/**
 * A date-time a client sends in any offset, given to the server as Tessera stores every time:
 * UTC with milliseconds ("2019-06-02T04:00:00.000Z"). SQLite compares timestamps as text, so a
 * time stored as sent ("2019-06-01T23:00:00-05:00") sorts and filters wrongly. Request bodies
 * only: a transform has no JSON Schema as a response.
 */
export const utcDateTime = isoDateTime.transform((s) => new Date(s).toISOString());
// Lower case only, as ids are made and stored: the OpenAPI pattern cannot carry a flag, and an
// upper-case id that passed validation would then be found nowhere (a 404 for a typo in case).
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an id (a lower-case UUID)');
export const email = z.string().trim().toLowerCase().email().max(254);

/** Opaque keyset cursor; clients pass back `nextCursor` unchanged. */
export const cursorQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const okResponse = z.object({ ok: z.literal(true) });

type WithoutDefault<T> = T extends z.ZodDefault<infer Inner> ? Inner : T;

/**
 * The PATCH body of a settings object: every field optional, unknown fields refused, and no
 * defaults. `.partial()` would keep them, and zod fills a default even inside an optional field,
 * so a PATCH naming one field would reset every other one.
 */
export function patchOf<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const shape = Object.fromEntries(Object.entries(schema.shape).map(([key, field]) => [key, (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional()]));
  return z.strictObject(shape as unknown as { [K in keyof Shape]: z.ZodOptional<WithoutDefault<Shape[K]>> });
}

/**
 * A response that is not JSON (a download, a CSV, raw MIME, an HTML page), so the OpenAPI
 * document names its media type. Fastify sends strings, buffers and streams as they are: the
 * schema is never used to serialize them. `*\/*` for files sent with their own type.
 */
export const nonJsonResponse = (mediaType: string, description: string) => ({
  description,
  // z.any(): the handler sends a Buffer or a stream; the document still says "binary string".
  content: { [mediaType]: { schema: z.any().meta({ type: 'string', format: 'binary' }) } },
});

/** The multipart upload every upload route reads by hand (one part named "file"); documentation only. */
export const multipartFileBody = z.object({ file: z.string().meta({ format: 'binary', description: 'The file; its filename and Content-Type are kept' }) });
