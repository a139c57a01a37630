import type { z } from 'zod';
import { PREFERENCE_KINDS, type updatePreferencesRequest } from '../../../contracts/notification-preferences.js';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { forbidden } from '../../platform/errors.js';
import { preferencesOf, savePreference, type Preferences } from './preferences.repository.js';

function userOf(ctx: Ctx): string {
  if (ctx.actor.type !== 'user') throw forbidden('Notification preferences belong to agents');
  return ctx.actor.id;
}

export async function getPreferences(ctx: Ctx): Promise<Preferences> {
  const userId = userOf(ctx);
  return (await preferencesOf(ctx.db, [userId])).get(userId)!;
}

/** Changes only the kinds and channels given; the rest keep their current choice. */
export async function updatePreferences(ctx: Ctx, input: z.output<typeof updatePreferencesRequest>): Promise<Preferences> {
  const userId = userOf(ctx);
  return inTransaction(ctx, async (tx) => {
    const current = (await preferencesOf(tx.db, [userId])).get(userId)!;
    for (const kind of PREFERENCE_KINDS) {
      const change = input[kind];
      if (!change) continue;
      current[kind] = { inApp: change.inApp ?? current[kind].inApp, email: change.email ?? current[kind].email };
      await savePreference(tx.db, userId, kind, current[kind], tx.now.toISOString());
    }
    return current;
  });
}
