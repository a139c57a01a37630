import { useEffect, useState } from 'react';
import type { QueryClient, QueryKey } from '@tanstack/react-query';

/**
 * Live updates: the server pushes domain events over a WebSocket at /api/v1/ws and we turn them
 * into TanStack Query invalidations, so every screen stays a plain query. When the socket is
 * absent (older server, proxy without WebSocket, network trouble) we fall back to polling the
 * lists and counts, and keep trying to reconnect with a growing delay.
 */
export type LiveStatus = 'connecting' | 'live' | 'polling';

export interface LiveEvent {
  name: string;
  payload: Record<string, unknown>;
}

type Handler = (event: LiveEvent, qc: QueryClient) => void;
const handlers: { prefix: string; fn: Handler }[] = [];
const eventListeners = new Set<(e: LiveEvent) => void>();

/** Features register what an event means for their caches; no central switch. */
export function onLiveEvent(prefix: string, fn: Handler): void {
  handlers.push({ prefix, fn });
}

/** Raw event stream for components (e.g. "new message" banners). */
export function subscribeLiveEvents(fn: (e: LiveEvent) => void): () => void {
  eventListeners.add(fn);
  return () => eventListeners.delete(fn);
}

/*
 * One change arrives as several events (ticket.created, then message.created a few ms later).
 * Cancelling the fetch the first one started would throw away an answer that usually holds the
 * change already and would have been on screen first; so a fetch under way is left to finish,
 * and the query is fetched once more when it has.
 */
const fetchAgain = new Set<string>();
const watchedCaches = new WeakSet<object>();

function refreshLive(qc: QueryClient, queryKey: QueryKey): void {
  const cache = qc.getQueryCache();
  if (!watchedCaches.has(cache)) {
    watchedCaches.add(cache);
    cache.subscribe((e) => {
      if (e.type !== 'updated' || (e.action.type !== 'success' && e.action.type !== 'error') || !fetchAgain.delete(e.query.queryHash)) return;
      setTimeout(() => void qc.invalidateQueries({ queryKey: e.query.queryKey, exact: true }), 0);
    });
  }
  for (const q of cache.findAll({ queryKey })) if (q.state.fetchStatus === 'fetching') fetchAgain.add(q.queryHash);
  void qc.invalidateQueries({ queryKey }, { cancelRefetch: false });
}

/*
 * The sidebar's counts are a dozen counts over every ticket, asked by every agent's browser on
 * every change: a burst of changes refreshes them at once and then at most every COUNTS_MS.
 */
const COUNTS_MS = 2_000;
let countsPlanned: ReturnType<typeof setTimeout> | null = null;
let countsAt = 0;
function refreshCounts(qc: QueryClient): void {
  if (countsPlanned) return;
  countsPlanned = setTimeout(() => {
    countsPlanned = null;
    countsAt = Date.now();
    refreshLive(qc, ['views']);
  }, Math.max(0, countsAt + COUNTS_MS - Date.now()));
}

// Ticket and message events: lists, counts and the ticket itself may have changed. The list
// first: on one server process the requests are answered in the order they arrive.
onLiveEvent('ticket.', (e, qc) => {
  refreshLive(qc, ['tickets']);
  refreshCounts(qc);
  if (typeof e.payload.number === 'number') refreshLive(qc, ['ticket', e.payload.number]);
});
onLiveEvent('message.', (e, qc) => {
  if (typeof e.payload.number === 'number') refreshLive(qc, ['ticket', e.payload.number]);
  refreshLive(qc, ['tickets']);
});
onLiveEvent('notification', (_e, qc) => void qc.invalidateQueries({ queryKey: ['notifications'] }));

/** Accepts `{ event, data }`, `{ type, payload }` or `{ name, payload }` frames. */
export function parseFrame(raw: string): LiveEvent | null {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  const name = [m.event, m.name, m.type].find((x): x is string => typeof x === 'string' && x.includes('.'));
  if (!name) return null;
  const payload = (m.payload ?? m.data ?? m) as Record<string, unknown>;
  return { name, payload: typeof payload === 'object' && payload ? payload : {} };
}

export function dispatchLiveEvent(e: LiveEvent, qc: QueryClient): void {
  for (const h of handlers) if (e.name.startsWith(h.prefix)) h.fn(e, qc);
  for (const fn of eventListeners) fn(e);
}

const POLL_MS = 20_000;

// The open socket and the rooms screens asked for (re-sent after every reconnect).
let current: WebSocket | null = null;
let presenceTtlMs = 60_000;
const baseRooms = new Set<string>();
const screenRooms = new Map<string, number>();
const presenceListeners = new Map<number, Set<(people: PresencePerson[]) => void>>();

export interface PresencePerson {
  userId: string;
  name: string;
  state: 'viewing' | 'replying';
  since: string;
}

/** Sends a frame if the socket is open; the live layer is best-effort by design. */
export function liveSend(msg: Record<string, unknown>): boolean {
  if (current?.readyState !== WebSocket.OPEN) return false;
  current.send(JSON.stringify(msg));
  return true;
}

function subscribeAll(): void {
  const rooms = [...baseRooms, ...screenRooms.keys()];
  if (rooms.length) liveSend({ type: 'subscribe', rooms });
}

/** Joins a room (e.g. ticket:42) while the calling component is mounted. */
export function useLiveRoom(room: string | null): void {
  useEffect(() => {
    if (!room) return;
    screenRooms.set(room, (screenRooms.get(room) ?? 0) + 1);
    liveSend({ type: 'subscribe', rooms: [room] });
    return () => {
      const n = (screenRooms.get(room) ?? 1) - 1;
      if (n > 0) screenRooms.set(room, n);
      else {
        screenRooms.delete(room);
        liveSend({ type: 'unsubscribe', rooms: [room] });
      }
    };
  }, [room]);
}

/** Who else is on a ticket, and tells the others we are viewing or replying (refreshed before it expires). */
export function usePresence(ticket: number, replying: boolean): PresencePerson[] {
  const [people, setPeople] = useState<PresencePerson[]>([]);
  useEffect(() => {
    const set = presenceListeners.get(ticket) ?? new Set();
    set.add(setPeople);
    presenceListeners.set(ticket, set);
    return () => void set.delete(setPeople);
  }, [ticket]);
  useEffect(() => {
    const state = replying ? 'replying' : 'viewing';
    const announce = () => liveSend({ type: 'presence', ticket, state });
    // The first announce may race the subscribe; a short retry covers it.
    const first = setTimeout(announce, 300);
    announce();
    const timer = setInterval(announce, Math.max(5_000, presenceTtlMs / 2));
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [ticket, replying]);
  useEffect(() => () => void liveSend({ type: 'presence', ticket, state: 'left' }), [ticket]);
  return people;
}

function handleControlFrame(raw: string, qc: QueryClient): boolean {
  let m: { type?: string; ticket?: number; people?: PresencePerson[]; presenceTtlMs?: number };
  try {
    m = JSON.parse(raw) as typeof m;
  } catch {
    return true;
  }
  if (m.type === 'hello') {
    if (typeof m.presenceTtlMs === 'number') presenceTtlMs = m.presenceTtlMs;
    subscribeAll();
    return true;
  }
  if (m.type === 'presence' && typeof m.ticket === 'number') {
    for (const fn of presenceListeners.get(m.ticket) ?? []) fn(m.people ?? []);
    return true;
  }
  if (m.type === 'subscribed') {
    // Whatever changed between the screen's first fetch and this subscription reached nobody:
    // catch up once, without cancelling fetches already under way.
    void qc.invalidateQueries({ queryKey: ['tickets'] }, { cancelRefetch: false });
    void qc.invalidateQueries({ queryKey: ['views'] }, { cancelRefetch: false });
    return true;
  }
  if (m.type === 'resync') {
    void qc.invalidateQueries();
    return true;
  }
  return m.type !== 'event';
}

/** rooms: what this agent listens to everywhere (their own room, their groups, the shared queue). */
export function useLiveUpdates(qc: QueryClient, enabled: boolean, rooms: string[] = []): LiveStatus {
  const roomKey = rooms.join(',');
  useEffect(() => {
    baseRooms.clear();
    for (const r of roomKey.split(',').filter(Boolean)) baseRooms.add(r);
    subscribeAll();
  }, [roomKey]);

  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    let delay = 2_000;
    let stopped = false;
    let everOpened = false;

    const startPolling = () => {
      setStatus('polling');
      poll ??= setInterval(() => {
        void qc.invalidateQueries({ queryKey: ['views'] });
        void qc.invalidateQueries({ queryKey: ['tickets'] });
      }, POLL_MS);
    };
    const connect = () => {
      if (stopped || typeof WebSocket === 'undefined') return startPolling();
      const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api/v1/ws`;
      try {
        socket = new WebSocket(url);
        current = socket;
      } catch {
        return startPolling();
      }
      socket.onopen = () => {
        delay = 2_000;
        setStatus('live');
        if (poll) clearInterval(poll);
        poll = undefined;
        subscribeAll();
        // After a reconnect anything may have changed while we were away (not on the first open:
        // that would cancel and repeat the requests the screen is making right now).
        if (everOpened) void qc.invalidateQueries();
        everOpened = true;
      };
      socket.onmessage = (ev) => {
        if (typeof ev.data !== 'string' || handleControlFrame(ev.data, qc)) return;
        const e = parseFrame(ev.data);
        if (e) dispatchLiveEvent(e, qc);
      };
      socket.onclose = () => {
        socket = null;
        current = null;
        if (stopped) return;
        startPolling();
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 60_000);
      };
    };
    connect();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (poll) clearInterval(poll);
      socket?.close();
    };
  }, [qc, enabled]);
  return status;
}
