import { z } from 'zod';
import type { Ctx } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { defineJob, enqueue, type JobDefinition } from '../../platform/jobs/define-job.js';
import { readSearchUpgrade, saveSearchUpgrade, SEARCH_WORDS_VERSION, upgradeSearchDoc, type SearchUpgrade } from '../../platform/search/search.repository.js';
import { contactSearchText, getContactsByIds } from '../contacts/index.js';
import { ticketHeadsAfter, ticketSearchText } from '../tickets/index.js';
import { messageTextsAfter } from './messages.repository.js';

const SLICE = 500;
const payload = z.object({});

/**
 * Brings the full-text rows written before the word splitting changed (version 2: accents
 * folded, Chinese and Japanese split into character pairs) up to date, so old tickets are found
 * by the words new ones are. Walks every ticket and message once, in short transactions, keeping
 * its place in the settings row; rows keep their keys, so search order does not change. A run
 * stops after `sliceMs` and the next one (the job recurs) carries on. Rewrites a row only when its
 * words differ: for text in English that is the rare accented word.
 */
export function searchUpgradeJob(sliceMs = 1000): JobDefinition<typeof payload> {
  const job: JobDefinition<typeof payload> = defineJob({
    name: 'search.upgrade',
    payload,
    attempts: 1,
    ownTransactions: true,
    handler: async (ctx) => {
      const deadline = Date.now() + sliceMs;
      while (Date.now() < deadline) {
        if (await upgradeSlice(ctx)) return;
      }
      // Queued behind what is due, so on SQLite's one job loop mail and notifications go first.
      await enqueue(ctx, job, {}, { uniqueKey: 'search.upgrade' });
    },
  });
  return job;
}

/** Hourly, and at start: a check of one settings row once the index is up to date. */
export const SEARCH_UPGRADE_EVERY_MS = 3600_000;

/** One slice of the walk in one transaction; true once the index is up to date. */
export async function upgradeSlice(ctx: Ctx): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const state = await readSearchUpgrade(tx.db);
    if (state.version >= SEARCH_WORDS_VERSION) return true;
    const next = state.phase === 'tickets' ? await upgradeTickets(tx, state.after) : await upgradeMessages(tx, state.after);
    await saveSearchUpgrade(tx.db, next, tx.now.toISOString());
    return next.version >= SEARCH_WORDS_VERSION;
  });
}

async function upgradeTickets(ctx: Ctx, after: string | null): Promise<SearchUpgrade> {
  const heads = await ticketHeadsAfter(ctx.db, after, SLICE);
  const contacts = new Map((await getContactsByIds(ctx, [...new Set(heads.map((t) => t.requesterId))])).map((c) => [c.id, c]));
  for (const t of heads) {
    const requester = contacts.get(t.requesterId);
    await upgradeSearchDoc(ctx.db, `t:${t.id}`, ticketSearchText(t, requester ? contactSearchText(requester) : ''));
  }
  if (heads.length < SLICE) return { version: 1, phase: 'messages', after: null };
  return { version: 1, phase: 'tickets', after: heads[heads.length - 1]!.id };
}

async function upgradeMessages(ctx: Ctx, after: string | null): Promise<SearchUpgrade> {
  const texts = await messageTextsAfter(ctx.db, after, SLICE);
  for (const m of texts) await upgradeSearchDoc(ctx.db, `m:${m.id}`, m.text);
  if (texts.length < SLICE) return { version: SEARCH_WORDS_VERSION, phase: 'messages', after: null };
  return { version: 1, phase: 'messages', after: texts[texts.length - 1]!.id };
}
