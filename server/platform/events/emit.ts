import type { EventName, EventPayload } from '../../../contracts/events.js';
import type { Ctx } from '../context.js';
import { insertOutboxEvent } from './outbox.repository.js';

/** Records a domain event in the caller's transaction; it is dispatched after commit. */
export async function emit<N extends EventName>(ctx: Ctx, name: N, payload: EventPayload<N>): Promise<void> {
  await insertOutboxEvent(ctx.db, name, ctx.imported ? { ...payload, imported: true } : payload, ctx.now);
}
