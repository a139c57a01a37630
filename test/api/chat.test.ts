import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { setupSupportMailbox } from '../mail/mail-support.js';
import { deliveries, settle } from '../mail/outbound-support.js';

interface Frame {
  type: string;
  [k: string]: unknown;
}

/** A visitor socket that records every frame, with a wait for the frame a test expects. */
class Visitor {
  readonly frames: Frame[] = [];
  ws!: WebSocket;
  /** `atOpen` frames go the moment the socket opens, as the widget sends lines typed while it connected. */
  static async open(t: TestApp, token: string, after = 0, atOpen: Record<string, unknown>[] = []): Promise<Visitor> {
    const v = new Visitor();
    // Listen from the start: the welcome frame may come before injectWS resolves.
    const onInit = (ws: WebSocket) => ws.on('message', (d) => v.frames.push(JSON.parse(String(d)) as Frame));
    const onOpen = (ws: WebSocket) => atOpen.forEach((f) => ws.send(JSON.stringify(f)));
    v.ws = await t.app.injectWS(`/api/v1/chat/visitor/ws?token=${encodeURIComponent(token)}&after=${after}`, {}, { onInit, onOpen });
    await v.waitFor((f) => f.type === 'welcome');
    return v;
  }
  send(f: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(f));
  }
  async waitFor(pred: (f: Frame) => boolean): Promise<Frame> {
    await expect.poll(() => this.frames.some(pred), { message: JSON.stringify(this.frames) }).toBe(true);
    return this.frames.find(pred)!;
  }
  bodies(): string[] {
    return this.frames.flatMap((f) => {
      if (f.type === 'welcome') return (f.messages as { body: string }[]).map((m) => m.body);
      if (f.type === 'message') return [(f.message as { body: string }).body];
      return [];
    });
  }
  close(): void {
    this.ws.terminate();
  }
}

/** Every file under the blob store, temp files included: what an upload left on disk. */
function filesOnDisk(root: string): string[] {
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => statSync(join(root, f)).isFile()).sort();
}

describeEachDialect('live chat over HTTP and the visitor socket', (dialect) => {
  let t: TestApp;
  let bea: ApiClient;
  let carl: ApiClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    bea = await t.user({ role: 'agent', name: 'Bea Agent' });
    carl = await t.user({ role: 'agent', name: 'Carl Agent' });
    await setupSupportMailbox(t, 'help@acme.test');
  });
  afterAll(() => t.close());

  const start = (body: Record<string, unknown> = {}) =>
    t.anonymous.post('/api/v1/chat/visitor/sessions', { name: 'Vera Visitor', email: 'vera@visitor.test', pageUrl: 'https://shop.example/pricing', referrer: 'https://search.example/', locale: 'de-DE', ...body });

  describe('when no agent is available', () => {
    it('the widget is told to show the offline form, a chat is refused, and the message becomes a chat ticket', async () => {
      const config = await t.anonymous.get('/api/v1/chat/visitor/config');
      expect(config.json()).toMatchObject({ online: false, preChatName: 'optional' });
      const refused = await start();
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('chat_unavailable');

      const bad = await t.anonymous.post('/api/v1/chat/visitor/offline', { email: 'not an email', message: '' });
      expect(bad.statusCode).toBe(400);
      const left = await t.anonymous.post('/api/v1/chat/visitor/offline', { name: 'Olga Offline', email: 'olga@visitor.test', message: 'Do you ship to Norway?', pageUrl: 'https://shop.example/shipping' });
      expect(left.statusCode).toBe(201);
      const ticket = (await t.admin.get(`/api/v1/tickets/${left.json().ticketNumber}`)).json();
      expect(ticket).toMatchObject({ channel: 'chat', requester: { email: 'olga@visitor.test', name: 'Olga Offline' } });
      expect(ticket.tags).toContain('chat-offline');
      const messages = (await t.admin.get(`/api/v1/tickets/${ticket.number}/messages`)).json();
      expect(JSON.stringify(messages)).toContain('Do you ship to Norway?');
      // Nobody answered live: the visitor is told by mail that the message arrived.
      await settle(t);
      expect((await deliveries(t, ticket.number)).map((d) => [d.kind, d.to[0]?.address])).toEqual([['acknowledgement', 'olga@visitor.test']]);
    });
  });

  describe('with an agent at the console', () => {
    let sessionId = '';
    let token = '';
    let visitor: Visitor;

    it('an agent reporting in makes chat available; pre-chat settings are enforced', async () => {
      expect((await bea.post('/api/v1/chat/presence', { online: true })).json()).toEqual({ agentsOnline: 1 });
      expect((await t.anonymous.get('/api/v1/chat/visitor/config')).json().online).toBe(true);
      expect((await t.admin.patch('/api/v1/chat/settings', { preChatEmail: 'required' })).statusCode).toBe(200);
      const [audit] = (await t.admin.get('/api/v1/audit-log?action=settings.updated')).json().items;
      expect(audit).toMatchObject({ actorId: t.admin.userId, targetType: 'settings', targetId: 'chat', data: { before: { preChatEmail: 'optional' }, after: { preChatEmail: 'required' } } });
      const noEmail = await start({ email: '' });
      expect(noEmail.statusCode).toBe(400);
      expect(JSON.stringify(noEmail.json())).toContain('email');
      expect((await bea.patch('/api/v1/chat/settings', { preChatEmail: 'optional' })).statusCode).toBe(403);
    });

    it('a visitor starts a chat and talks; the agent sees it waiting with visitor info, accepts and answers', async () => {
      const res = await start();
      expect(res.statusCode).toBe(201);
      ({ sessionId, token } = res.json());
      visitor = await Visitor.open(t, token);
      visitor.send({ type: 'message', body: 'My order #77 has not arrived', clientId: 'c1' });
      await visitor.waitFor((f) => f.type === 'message' && (f.message as { clientId: string }).clientId === 'c1');

      const list = (await bea.get('/api/v1/chat/sessions?status=waiting')).json();
      const mine = list.items.find((s: { id: string }) => s.id === sessionId);
      expect(mine).toMatchObject({ status: 'waiting', visitorName: 'Vera Visitor', visitorInfo: { pageUrl: 'https://shop.example/pricing', locale: 'de-DE', referrer: 'https://search.example/' } });

      expect((await bea.post(`/api/v1/chat/sessions/${sessionId}/accept`)).json()).toMatchObject({ status: 'active', assignee: { name: 'Bea Agent' } });
      expect((await carl.post(`/api/v1/chat/sessions/${sessionId}/accept`)).statusCode).toBe(409);
      await visitor.waitFor((f) => f.type === 'status' && f.status === 'active' && f.agentName === 'Bea Agent');

      expect((await bea.post(`/api/v1/chat/sessions/${sessionId}/typing`, { on: true })).statusCode).toBe(200);
      await visitor.waitFor((f) => f.type === 'typing' && f.on === true);
      expect((await bea.post(`/api/v1/chat/sessions/${sessionId}/messages`, { body: 'Let me check that for you.' })).statusCode).toBe(201);
      await visitor.waitFor((f) => f.type === 'message' && (f.message as { body: string }).body === 'Let me check that for you.');
      // Only the agent of the chat writes in it.
      expect((await carl.post(`/api/v1/chat/sessions/${sessionId}/messages`, { body: 'hi' })).statusCode).toBe(403);
    });

    it('a resent line (same clientId, after a reconnect) is stored once, and a reconnect gets only what was missed', async () => {
      const before = (await bea.get(`/api/v1/chat/sessions/${sessionId}`)).json();
      const lastSeen = before.session.lastSeq as number;
      visitor.close();
      expect((await bea.post(`/api/v1/chat/sessions/${sessionId}/messages`, { body: 'Found it: it ships tomorrow.' })).statusCode).toBe(201);
      visitor = await Visitor.open(t, token, lastSeen);
      const welcome = visitor.frames.find((f) => f.type === 'welcome')!;
      expect(visitor.frames[0]!.type).toBe('welcome');
      expect((welcome.messages as { body: string }[]).map((m) => m.body)).toEqual(['Found it: it ships tomorrow.']);
      visitor.send({ type: 'message', body: 'My order #77 has not arrived', clientId: 'c1' });
      visitor.send({ type: 'message', body: 'Thanks!', clientId: 'c2' });
      await visitor.waitFor((f) => f.type === 'message' && (f.message as { clientId: string }).clientId === 'c2');
      const after = (await bea.get(`/api/v1/chat/sessions/${sessionId}`)).json();
      expect(after.messages.filter((m: { body: string }) => m.body === 'My order #77 has not arrived')).toHaveLength(1);
      // A line PostgreSQL could not store is refused by name; the socket stays usable.
      visitor.send({ type: 'message', body: 'nul\u0000line', clientId: 'c3' });
      await visitor.waitFor((f) => f.type === 'error' && f.code === 'validation_failed' && String(f.message).startsWith('frame.body'));
      visitor.send({ type: 'message', body: 'Still here', clientId: 'c4' });
      await visitor.waitFor((f) => f.type === 'message' && (f.message as { clientId: string }).clientId === 'c4');
    });

    it('a visitor file over the limit, empty, badly named or in a malformed body is refused and leaves nothing behind', async () => {
      const boundary = 'badBOUNDARY';
      const part = (o: { filename?: string; content: Buffer | string; close?: boolean }) =>
        Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${o.filename ?? 'photo.jpg'}"\r\nContent-Type: image/jpeg\r\n\r\n`, 'latin1'),
          Buffer.isBuffer(o.content) ? o.content : Buffer.from(o.content),
          Buffer.from(o.close === false ? '' : `\r\n--${boundary}--\r\n`),
        ]);
      const send = (payload: Buffer, contentType = `multipart/form-data; boundary=${boundary}`) =>
        t.app.inject({ method: 'POST', url: '/api/v1/chat/visitor/files', headers: { 'content-type': contentType, 'x-chat-token': token }, payload });
      const attachments = async () => Number((await sql<{ n: number | string }>`select count(*) as n from attachments`.execute(t.deps.database.db)).rows[0]!.n);
      const lines = async () => ((await bea.get(`/api/v1/chat/sessions/${sessionId}`)).json().messages as unknown[]).length;
      const before = { attachments: await attachments(), lines: await lines(), disk: filesOnDisk(t.deps.blobs.root) };

      const big = await send(part({ content: Buffer.alloc(t.deps.config.maxAttachmentBytes + 10, 7) }));
      expect([big.statusCode, big.json().error.code]).toEqual([413, 'payload_too_large']);
      const refused = {
        noBoundary: await send(part({ content: 'x' }), 'multipart/form-data'),
        unterminated: await send(part({ content: 'x', close: false })),
        nul: await send(part({ filename: 'a\u0000b.jpg', content: 'x' })),
        escape: await send(part({ filename: 'a\u001b[2Jb.jpg', content: 'x' })),
        empty: await send(part({ content: '' })),
      };
      for (const [what, res] of Object.entries(refused)) {
        expect(res.statusCode, what).toBe(400);
        expect(res.json().error.code, what).toBe('validation_failed');
      }
      expect(refused.empty.json().error.message).toMatch(/empty/);
      expect({ attachments: await attachments(), lines: await lines(), disk: filesOnDisk(t.deps.blobs.root) }).toEqual(before);
    });

    it('the visitor sends a file, the chat is transferred, and the new agent converts it into a ticket with everything attached', async () => {
      const boundary = 'xyzBOUNDARY';
      const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="receipt.txt"\r\nContent-Type: text/plain\r\n\r\nreceipt 77: paid\r\n--${boundary}--\r\n`;
      const up = await t.app.inject({ method: 'POST', url: '/api/v1/chat/visitor/files', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-chat-token': token }, payload });
      expect(up.statusCode).toBe(201);
      const fileId = up.json().attachment.id as string;
      const forged = await t.app.inject({ method: 'POST', url: '/api/v1/chat/visitor/files', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-chat-token': 'wrong' }, payload });
      expect(forged.statusCode).toBe(401);
      const download = await bea.get(`/api/v1/chat/sessions/${sessionId}/files/${fileId}`);
      expect(download.body).toBe('receipt 77: paid');

      expect((await bea.post(`/api/v1/chat/sessions/${sessionId}/transfer`, { userId: carl.userId })).json()).toMatchObject({ assignee: { name: 'Carl Agent' } });
      await visitor.waitFor((f) => f.type === 'message' && String((f.message as { body: string }).body).includes('transferred the chat to Carl Agent'));
      expect((await bea.post(`/api/v1/chat/sessions/${sessionId}/convert`)).statusCode).toBe(403);
      const converted = await carl.post(`/api/v1/chat/sessions/${sessionId}/convert`);
      expect(converted.statusCode).toBe(200);
      const { ticketNumber } = converted.json();
      // One click twice gives the same ticket.
      expect((await carl.post(`/api/v1/chat/sessions/${sessionId}/convert`)).json().ticketNumber).toBe(ticketNumber);
      await visitor.waitFor((f) => f.type === 'status' && f.status === 'converted');

      const ticket = (await carl.get(`/api/v1/tickets/${ticketNumber}`)).json();
      expect(ticket).toMatchObject({ channel: 'chat', requester: { email: 'vera@visitor.test', name: 'Vera Visitor' }, assignee: { id: carl.userId } });
      const messages = (await carl.get(`/api/v1/tickets/${ticketNumber}/messages`)).json();
      const items = (messages.items ?? messages) as { kind: string; bodyText?: string; body?: string; attachments: { filename: string }[] }[];
      const text = JSON.stringify(items);
      expect(text).toContain('Vera Visitor: My order #77 has not arrived');
      expect(text).toContain('Bea Agent: Let me check that for you.');
      expect(text).toContain('Carl Agent');
      expect(text).toContain('receipt.txt');
      expect(items.find((m) => m.kind === 'note')).toBeDefined();
      expect(JSON.stringify(items.find((m) => m.kind === 'note'))).toContain('https://shop.example/pricing');
      const events = (await carl.get(`/api/v1/tickets/${ticketNumber}/events`)).json();
      expect(JSON.stringify(events)).toContain('chat_converted');
      // The visitor talked with an agent: no "we received your request" mail.
      await settle(t);
      expect((await deliveries(t, ticketNumber)).filter((d) => d.kind === 'acknowledgement')).toEqual([]);
      visitor.close();
    });

    it('a chat nobody accepts in time becomes a ticket by itself; so does one the visitor leaves unanswered', async () => {
      await t.admin.patch('/api/v1/chat/settings', { unansweredAfterSeconds: 60, preChatEmail: 'optional' });
      const waiting = (await start({ name: 'Walt Waiting', email: 'walt@visitor.test' })).json();
      const w = await Visitor.open(t, waiting.token);
      w.send({ type: 'message', body: 'Anyone there?', clientId: 'w1' });
      await w.waitFor((f) => f.type === 'message' && (f.message as { clientId: string }).clientId === 'w1');
      await t.deps.jobs.drain();
      expect((await bea.get(`/api/v1/chat/sessions/${waiting.sessionId}`)).json().session.status).toBe('waiting');
      t.clock.advance(61_000);
      await bea.post('/api/v1/chat/presence', { online: true });
      await t.deps.jobs.drain();
      const detail = (await bea.get(`/api/v1/chat/sessions/${waiting.sessionId}`)).json();
      expect(detail.session).toMatchObject({ status: 'converted', endReason: 'unanswered' });
      const ticket = (await bea.get(`/api/v1/tickets/${detail.session.ticketNumber}`)).json();
      expect(ticket).toMatchObject({ channel: 'chat', requester: { email: 'walt@visitor.test' } });
      expect(ticket.tags).toContain('chat-unanswered');
      await w.waitFor((f) => f.type === 'status' && f.status === 'converted');
      w.close();

      const leaving = (await start({ name: 'Lea Leaving', email: '' })).json();
      // The widget sends what was typed while it connected, and the leave, as soon as the socket opens.
      const l = await Visitor.open(t, leaving.token, 0, [{ type: 'message', body: 'Never mind, bye', clientId: 'l1' }, { type: 'leave' }]);
      await l.waitFor((f) => f.type === 'status' && f.status === 'converted');
      const left = (await bea.get(`/api/v1/chat/sessions/${leaving.sessionId}`)).json().session;
      const leftTicket = (await bea.get(`/api/v1/tickets/${left.ticketNumber}`)).json();
      // No email given: the requester is still a contact, by name.
      expect(leftTicket.requester).toMatchObject({ name: 'Lea Leaving', email: null });
      expect(JSON.stringify((await bea.get(`/api/v1/tickets/${left.ticketNumber}/messages`)).json())).toContain('Lea Leaving: Never mind, bye');
      l.close();
    });

    it('refuses strangers: a wrong visitor token, customers and anonymous callers on the console API', async () => {
      const closed = await new Promise<number>((resolve) => void t.app.injectWS('/api/v1/chat/visitor/ws?token=nope', {}, { onInit: (ws) => ws.on('close', (code) => resolve(code)) }));
      expect(closed).toBe(4401);
      expect((await t.anonymous.get('/api/v1/chat/sessions')).statusCode).toBe(401);
      const customer = await t.user({ role: 'customer' });
      expect(customer.token).toBe('');
      expect((await t.anonymous.post(`/api/v1/chat/sessions/${sessionId}/convert`)).statusCode).toBe(401);
    });
  });
});

describeEachDialect('live chat for agents restricted to their groups', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  /** An agent's console socket on its own room, recording every chat event it hears. */
  async function consoleOf(agent: ApiClient): Promise<Frame[]> {
    const frames: Frame[] = [];
    const ws = await t.app.injectWS(`/api/v1/ws?token=${encodeURIComponent(agent.token)}`, {}, { onInit: (s) => s.on('message', (d) => frames.push(JSON.parse(String(d)) as Frame)) });
    await expect.poll(() => frames.some((f) => f.type === 'hello')).toBe(true);
    ws.send(JSON.stringify({ type: 'subscribe', rooms: [`agent:${agent.userId}`] }));
    await expect.poll(() => frames.some((f) => f.type === 'subscribed')).toBe(true);
    return frames;
  }
  const chatEvents = (frames: Frame[]) => frames.filter((f) => f.type === 'event' && String(f.event).startsWith('chat.'));

  it('see, answer and hear of the chats of their groups only, before and after the chat becomes a ticket', async () => {
    const { groupId } = await setupSupportMailbox(t, 'help@acme.test');
    const elsewhere = (await t.admin.post('/api/v1/groups', { name: 'Elsewhere' })).json().id as string;
    const ina = await t.user({ role: 'agent', name: 'Ina Inside', groupIds: [groupId], restrictedToGroups: true });
    const otto = await t.user({ role: 'agent', name: 'Otto Outside', groupIds: [elsewhere], restrictedToGroups: true });
    for (const a of [ina, otto]) expect((await a.post('/api/v1/chat/presence', { online: true })).statusCode).toBe(200);
    const [inaHears, ottoHears] = [await consoleOf(ina), await consoleOf(otto)];

    const started = await t.anonymous.post('/api/v1/chat/visitor/sessions', { name: 'Vera Visitor', email: 'vera@visitor.test', mailbox: 'help@acme.test' });
    expect(started.statusCode).toBe(201);
    const { sessionId, token } = started.json();
    const visitor = await Visitor.open(t, token);
    visitor.send({ type: 'message', body: 'My order code is ORD-SECRET', clientId: 'v1' });
    await expect.poll(() => JSON.stringify(chatEvents(inaHears))).toContain('ORD-SECRET');

    const waiting = (c: ApiClient) => c.get('/api/v1/chat/sessions?status=waiting').then((r) => r.json().items.map((s: { id: string }) => s.id));
    expect(await waiting(ina)).toContain(sessionId);
    expect(await waiting(otto)).not.toContain(sessionId);
    expect((await otto.get(`/api/v1/chat/sessions/${sessionId}`)).statusCode).toBe(404);
    expect((await otto.post(`/api/v1/chat/sessions/${sessionId}/accept`)).statusCode).toBe(404);

    expect((await ina.post(`/api/v1/chat/sessions/${sessionId}/accept`)).statusCode).toBe(200);
    const converted = await ina.post(`/api/v1/chat/sessions/${sessionId}/convert`);
    expect(converted.statusCode).toBe(200);
    const { ticketNumber } = converted.json();
    await visitor.waitFor((f) => f.type === 'status' && f.status === 'converted');
    const converts = (c: ApiClient) => c.get('/api/v1/chat/sessions?status=converted').then((r) => r.json().items.map((s: { id: string }) => s.id));
    expect(await converts(otto)).not.toContain(sessionId);
    expect((await otto.get(`/api/v1/chat/sessions/${sessionId}`)).statusCode).toBe(404);
    expect((await otto.post(`/api/v1/chat/sessions/${sessionId}/convert`)).statusCode).toBe(404);
    // Otto heard nothing of it: not the visitor's line, not the state changes.
    expect(chatEvents(ottoHears)).toEqual([]);

    // A converted chat follows its ticket: moved to Otto's group, Otto may read it and Ina no longer.
    expect((await t.admin.patch(`/api/v1/tickets/${ticketNumber}`, { groupId: elsewhere, assigneeId: null })).statusCode).toBe(200);
    expect((await otto.get(`/api/v1/chat/sessions/${sessionId}`)).json().session.ticketNumber).toBe(ticketNumber);
    expect(await converts(otto)).toContain(sessionId);
    expect((await ina.get(`/api/v1/chat/sessions/${sessionId}`)).statusCode).toBe(200);
    visitor.close();
  });
});
