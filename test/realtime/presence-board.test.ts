import { describe, expect, it } from 'vitest';
import { PresenceBoard, type PresenceChange } from '../../server/platform/realtime/presence-board.js';

const change = (over: Partial<PresenceChange>): PresenceChange => ({ ticket: 7, key: 'p1:c1', userId: 'u1', name: 'Alice', state: 'viewing', expiresAt: 60_000, ...over });

describe('presence board', () => {
  it('shows each agent once, "replying" winning over a second tab that only views', () => {
    const b = new PresenceBoard();
    expect(b.apply(change({}), 0)).toBe(true);
    expect(b.apply(change({}), 10)).toBe(false); // a refresh changes nothing anyone sees
    b.apply(change({ key: 'p2:c9', state: 'replying' }), 20);
    b.apply(change({ key: 'p1:c2', userId: 'u2', name: 'Bob' }), 30);
    expect(b.people(7, 40)).toEqual([
      { userId: 'u1', name: 'Alice', state: 'replying', since: new Date(20).toISOString() },
      { userId: 'u2', name: 'Bob', state: 'viewing', since: new Date(30).toISOString() },
    ]);
  });

  it('forgets entries that are not refreshed, and removed ones at once', () => {
    const b = new PresenceBoard();
    b.apply(change({ expiresAt: 1000 }), 0);
    b.apply(change({ key: 'p1:c2', userId: 'u2', name: 'Bob', expiresAt: 5000 }), 0);
    expect(b.sweep(999)).toEqual([]);
    expect(b.sweep(1000)).toEqual([7]);
    expect(b.people(7, 1000).map((p) => p.name)).toEqual(['Bob']);
    expect(b.apply(change({ key: 'p1:c2', state: null }), 1001)).toBe(true);
    expect(b.people(7, 1001)).toEqual([]);
    expect(b.ticketsOf('p1:c2')).toEqual([]);
    expect(b.apply(change({ key: 'p1:c2', state: null }), 1002)).toBe(false);
  });
});
