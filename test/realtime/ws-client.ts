import WebSocket from 'ws';
import { realtimeEventData, serverMessage } from '../../contracts/realtime.js';

export type Frame = { type: string; [k: string]: unknown };

/**
 * A WebSocket client for tests: keeps every frame it receives so a test can wait for one that
 * matches, or check that none did.
 */
export class TestSocket {
  readonly frames: Frame[] = [];
  /** Frames that broke contracts/realtime.ts; `next` fails while there are any. */
  readonly invalid: { frame: Frame; error: string }[] = [];
  /** performance.now() when each frame arrived (latency measurements). */
  readonly receivedAt = new WeakMap<Frame, number>();
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  hello: Frame | null = null;
  private closeWaiters: ((c: { code: number; reason: string }) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.receivedAt.set(frame, performance.now());
      // Every frame must match the published contract, event payloads included.
      const checked = serverMessage.safeParse(frame);
      const schema = frame.type === 'event' ? realtimeEventData[frame.event as keyof typeof realtimeEventData] : undefined;
      const payload = schema?.safeParse(frame.data);
      if (!checked.success || (payload && !payload.success)) this.invalid.push({ frame, error: String(checked.error ?? payload?.error) });
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(frame);
        }
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of this.closeWaiters) w(this.closed);
    });
  }

  /** Opens a socket and waits for the server's hello; rejects with the HTTP status if refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const s = new TestSocket(ws);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
      s.next((f) => f.type === 'hello').then((hello) => {
        s.hello = hello;
        resolve(s);
      }, reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (received already or later) that matches, within the timeout. */
  next(match: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    if (this.invalid.length) return Promise.reject(new Error(`frame outside the contract: ${JSON.stringify(this.invalid[0])}`));
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type === 'event' ? `${f.type}:${String(f.event)}` : f.type))}`));
      }, timeoutMs);
      const done = (f: Frame) => {
        clearTimeout(timer);
        this.frames.splice(this.frames.indexOf(f), 1);
        resolve(f);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  event(name: string, number?: number, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === 'event' && f.event === name && (number === undefined || (f.data as { number?: number }).number === number), timeoutMs);
  }

  /** Resolves true if no matching frame arrives within `ms`. */
  async nothing(match: (f: Frame) => boolean, ms = 300): Promise<boolean> {
    try {
      await this.next(match, ms);
      return false;
    } catch {
      return true;
    }
  }

  async subscribe(rooms: string[]): Promise<{ rooms: string[]; denied: { room: string; reason: string }[] }> {
    this.send({ type: 'subscribe', rooms });
    return (await this.next((f) => f.type === 'subscribed')) as unknown as { rooms: string[]; denied: { room: string; reason: string }[] };
  }

  waitClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
