import type { PresencePerson } from '../../../contracts/realtime.js';

/** One socket's presence on one ticket; `key` is `<process>:<connection>` so it is unique across processes. */
export interface PresenceChange {
  ticket: number;
  key: string;
  userId: string;
  name: string;
  /** null removes the entry. */
  state: 'viewing' | 'replying' | null;
  /** Epoch ms the entry stops counting unless refreshed. */
  expiresAt: number;
}

interface Entry {
  userId: string;
  name: string;
  state: 'viewing' | 'replying';
  since: number;
  expiresAt: number;
}

/**
 * Who is viewing or replying on which ticket, across every process (changes from other
 * processes arrive over the bus). Entries expire unless refreshed, so a crashed process or a
 * vanished browser does not leave a ghost behind.
 */
export class PresenceBoard {
  private readonly byTicket = new Map<number, Map<string, Entry>>();

  /** Applies a change; true when what people see on that ticket changed. */
  apply(change: PresenceChange, now: number): boolean {
    const entries = this.byTicket.get(change.ticket) ?? new Map<string, Entry>();
    const before = entries.get(change.key);
    if (change.state === null || change.expiresAt <= now) {
      if (!before) return false;
      entries.delete(change.key);
      if (entries.size === 0) this.byTicket.delete(change.ticket);
      return true;
    }
    const since = before && before.state === change.state ? before.since : now;
    entries.set(change.key, { userId: change.userId, name: change.name, state: change.state, since, expiresAt: change.expiresAt });
    this.byTicket.set(change.ticket, entries);
    return !before || before.state !== change.state;
  }

  /** Drops expired entries; returns the tickets whose people changed. */
  sweep(now: number): number[] {
    const changed: number[] = [];
    for (const [ticket, entries] of this.byTicket) {
      let dropped = false;
      for (const [key, e] of entries) {
        if (e.expiresAt <= now) {
          entries.delete(key);
          dropped = true;
        }
      }
      if (entries.size === 0) this.byTicket.delete(ticket);
      if (dropped) changed.push(ticket);
    }
    return changed;
  }

  holds(ticket: number, key: string): boolean {
    return this.byTicket.get(ticket)?.has(key) ?? false;
  }

  /** The tickets a connection has entries on (to remove them when it closes). */
  ticketsOf(key: string): number[] {
    const out: number[] = [];
    for (const [ticket, entries] of this.byTicket) if (entries.has(key)) out.push(ticket);
    return out;
  }

  /** One line per person: several tabs of one agent count once, "replying" winning over "viewing". */
  people(ticket: number, now: number): PresencePerson[] {
    const byUser = new Map<string, Entry>();
    for (const e of this.byTicket.get(ticket)?.values() ?? []) {
      if (e.expiresAt <= now) continue;
      const seen = byUser.get(e.userId);
      if (!seen || (e.state === 'replying' && seen.state !== 'replying') || (e.state === seen.state && e.since < seen.since)) byUser.set(e.userId, e);
    }
    return [...byUser.values()]
      .sort((a, b) => a.since - b.since || a.name.localeCompare(b.name))
      .map((e) => ({ userId: e.userId, name: e.name, state: e.state, since: new Date(e.since).toISOString() }));
  }
}
