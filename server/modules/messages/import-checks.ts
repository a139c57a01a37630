import { invalidField } from '../../platform/errors.js';

/** What the checks read of an imported ticket; its times are UTC ISO already (see utcDateTime). */
interface HistoryShape {
  externalId?: string | undefined;
  createdAt: string;
  statusChangedAt?: string | undefined;
  messages: { createdAt: string }[];
}

/** Clocks of the system the history comes from may run a little ahead of ours. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Refuses history that cannot have happened, naming the field: a time after now (it would also
 * date ticket ids and clocks in the future), a message older than its ticket, a final status
 * reached before the ticket was opened or before its last message (the ticket would show an
 * updated time earlier than its conversation), an externalId twice in one request.
 */
export function assertConsistentHistory(tickets: readonly HistoryShape[], now: Date): void {
  const latest = new Date(now.getTime() + CLOCK_SKEW_MS).toISOString();
  const notFuture = (path: string, iso: string) => {
    if (iso > latest) throw invalidField(path, `${iso} is in the future (now is ${now.toISOString()})`);
  };
  const seen = new Map<string, number>();
  for (const [i, t] of tickets.entries()) {
    const path = `tickets.${i}`;
    if (t.externalId !== undefined) {
      const first = seen.get(t.externalId);
      if (first !== undefined) throw invalidField(`${path}.externalId`, `repeats tickets.${first}.externalId`);
      seen.set(t.externalId, i);
    }
    notFuture(`${path}.createdAt`, t.createdAt);
    let last = t.createdAt;
    for (const [k, m] of t.messages.entries()) {
      notFuture(`${path}.messages.${k}.createdAt`, m.createdAt);
      if (m.createdAt < t.createdAt) throw invalidField(`${path}.messages.${k}.createdAt`, `${m.createdAt} is before the ticket's createdAt ${t.createdAt}`);
      if (m.createdAt > last) last = m.createdAt;
    }
    if (t.statusChangedAt !== undefined) {
      notFuture(`${path}.statusChangedAt`, t.statusChangedAt);
      if (t.statusChangedAt < t.createdAt) throw invalidField(`${path}.statusChangedAt`, `${t.statusChangedAt} is before the ticket's createdAt ${t.createdAt}`);
      if (t.statusChangedAt < last) throw invalidField(`${path}.statusChangedAt`, `${t.statusChangedAt} is before the last message (${last})`);
    }
  }
}
