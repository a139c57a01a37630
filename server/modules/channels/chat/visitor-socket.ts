import { visitorClientFrame, type VisitorServerFrame } from '../../../../contracts/chat.js';
import type { ServerMessage } from '../../../../contracts/realtime.js';
import type { Actor, Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import { randomToken } from '../../../platform/ids.js';
import type { Realtime } from '../../../platform/realtime/realtime.js';
import type { HubClient } from '../../../platform/realtime/realtime-hub.js';
import { parseClientFrame } from '../../../platform/realtime/client-frame.js';
import { getUsersByIds } from '../../auth/index.js';
import { presentChatMessage } from './chat.presenter.js';
import { findChatSession, type ChatSession } from './chat.repository.js';
import { publishTyping, visitorRoom } from './chat.realtime.js';
import { postVisitorMessage, visitorLeaves, visitorTranscript } from './chat.service.js';

/** The part of a `ws` WebSocket the visitor socket uses. */
export interface VisitorRawSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close' | 'pong', fn: () => void): unknown;
}

const OPEN = 1;
const HEARTBEAT_MS = 30_000;

/**
 * One widget's socket. It joins the realtime hub as a customer-kind client in the chat's own
 * visitor room, so pushes reach it from any process (over the bus) and staff-only pushes never
 * do. Frames are handled in order; every line is stored before it is echoed, so a widget that
 * reconnects with its last seen sequence number gets exactly what it missed.
 */
export class VisitorSocket implements HubClient {
  readonly id = randomToken(9);
  readonly rooms = new Set<string>();
  readonly actor: Actor;
  private queue: Promise<void> = Promise.resolve();
  private alive = true;
  /** Pushes that arrive while the transcript is loaded wait, so the widget sees lines in order. */
  private early: VisitorServerFrame[] | null = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly realtime: Realtime,
    private readonly socket: VisitorRawSocket,
    private readonly session: ChatSession,
    private readonly ctxFor: () => Ctx,
    private readonly log: { error(obj: unknown, msg?: string): void },
  ) {
    this.actor = { type: 'customer', id: `visitor:${session.id}`, name: session.visitorName ?? 'Visitor', email: session.visitorEmail ?? '', contactId: null, organizationId: null, seeOrganization: false };
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      this.queue = this.queue.then(() => this.handle(text)).catch((err: unknown) => this.fail(err));
    });
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => {
      clearInterval(this.timer);
      realtime.hub.remove(this);
    });
    this.timer = setInterval(() => {
      if (!this.alive) return this.socket.terminate();
      this.alive = false;
      this.socket.ping();
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Joins the room first, then sends the transcript, so no line falls between the two. */
  async open(afterSeq: number): Promise<void> {
    this.realtime.hub.add(this);
    this.realtime.hub.join(this, visitorRoom(this.session.id));
    const ctx = this.ctxFor();
    const current = (await findChatSession(ctx.db, this.session.id)) ?? this.session;
    const [agent] = current.assigneeId ? await getUsersByIds(ctx, [current.assigneeId]) : [];
    const messages = (await visitorTranscript(ctx, current.id, afterSeq)).map(presentChatMessage);
    this.frame({ type: 'welcome', status: current.status, agentName: agent?.name ?? null, messages });
    const shown = messages.reduce((max, m) => Math.max(max, m.seq), afterSeq);
    const early = this.early ?? [];
    this.early = null;
    for (const f of early) if (f.type !== 'message' || f.message.seq > shown) this.frame(f);
  }

  /** Hub pushes arrive as realtime event frames; the widget gets its own small protocol. */
  send(message: ServerMessage): void {
    if (message.type !== 'event') return;
    const d = message.data;
    if (message.event === 'chat.message') this.frame({ type: 'message', message: d.message as never });
    else if (message.event === 'chat.typing') this.frame({ type: 'typing', on: Boolean(d.on), name: String(d.name ?? '') });
    else if (message.event === 'chat.status') this.frame({ type: 'status', status: d.status as never, agentName: (d.agentName as string | null) ?? null });
  }

  private frame(f: VisitorServerFrame): void {
    if (this.early && f.type !== 'welcome') {
      this.early.push(f);
      return;
    }
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(f));
  }

  private fail(err: unknown): void {
    if (err instanceof AppError) return this.frame({ type: 'error', code: err.code, message: err.message });
    this.log.error({ err }, 'chat visitor frame failed');
    this.frame({ type: 'error', code: 'internal', message: 'The message could not be handled; try again' });
  }

  private async handle(text: string): Promise<void> {
    const parsed = parseClientFrame(visitorClientFrame, text);
    if (!parsed.ok) return this.frame({ type: 'error', code: 'validation_failed', message: parsed.message });
    const f = parsed.frame;
    const ctx = this.ctxFor();
    switch (f.type) {
      case 'ping':
        return this.frame({ type: 'pong' });
      case 'message':
        await postVisitorMessage(ctx, this.session.id, { body: f.body, clientId: f.clientId });
        return;
      case 'typing': {
        const current = await findChatSession(ctx.db, this.session.id);
        if (current && (current.status === 'waiting' || current.status === 'active')) await publishTyping(this.realtime, ctx, current, { visitor: true }, f.on);
        return;
      }
      case 'leave':
        await visitorLeaves(ctx, this.session.id);
        return;
    }
  }
}
