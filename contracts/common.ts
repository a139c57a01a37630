import { z } from 'zod';

export const isoDateTime = z.string().datetime({ offset: true });
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be an id');
export const email = z.string().trim().toLowerCase().email().max(254);

/** Opaque keyset cursor; clients pass back `nextCursor` unchanged. */
export const cursorQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const okResponse = z.object({ ok: z.literal(true) });
