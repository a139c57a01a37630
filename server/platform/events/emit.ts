import type { EventName, EventPayload } from '../../../contracts/events.js';
import type { Ctx } from '../context.js';
import { insertOutboxEvent, insertOutboxEvents } from './outbox.repository.js';

/** Records a domain event in the caller's transaction; it is dispatched after commit. */
export async function emit<N extends EventName>(ctx: Ctx, name: N, payload: EventPayload<N>): Promise<void> {
  await insertOutboxEvent(ctx.db, name, ctx.imported ? { ...payload, imported: true } : payload, ctx.now);
}

/** Many events of one name at once, in order (a batch of new tickets). */
export async function emitAll<N extends EventName>(ctx: Ctx, name: N, payloads: readonly EventPayload<N>[]): Promise<void> {
  await insertOutboxEvents(ctx.db, payloads.map((p) => ({ name, payload: ctx.imported ? { ...p, imported: true } : p })), ctx.now);
}
