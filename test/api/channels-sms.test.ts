import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../server/modules/channels/sms/twilio.adapter.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { settle } from '../mail/outbound-support.js';

const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const OUR_NUMBER = '+15550001111';
const INBOUND = '/api/v1/channels/sms/twilio/inbound';

/** The provider's documented example, so our signature is Twilio's and not merely self-consistent. */
describe('Twilio request signature', () => {
  it('matches the provider documentation example', () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });
});

interface ProviderRequest {
  url: string;
  authorization: string;
  form: Record<string, string>;
}

/** A stand-in for the provider's REST API on loopback: records sends, can fail the next ones. */
async function startFakeProvider(): Promise<{ url: string; requests: ProviderRequest[]; failNext(n: number): void; close(): Promise<void> }> {
  const requests: ProviderRequest[] = [];
  let failing = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failing > 0) {
        failing -= 1;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"try later"}');
        return;
      }
      requests.push({ url: req.url ?? '', authorization: String(req.headers.authorization ?? ''), form: Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SMout${requests.length}`, status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext: (n) => (failing = n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeEachDialect('SMS channel: signed webhook in, threading, replies out through the provider API', (dialect) => {
  let t: TestApp;
  let provider: Awaited<ReturnType<typeof startFakeProvider>>;
  let sid = 0;
  beforeAll(async () => {
    provider = await startFakeProvider();
    t = await createTestApp(dialect);
    const res = await t.admin.patch('/api/v1/channels/settings/sms', { enabled: true, accountSid: 'AC42', authToken: AUTH_TOKEN, fromNumber: OUR_NUMBER, apiBaseUrl: provider.url });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ authTokenSet: true, inboundUrl: `${t.deps.config.publicUrl}${INBOUND}` });
    expect(res.body).not.toContain(AUTH_TOKEN);
  });
  afterAll(async () => {
    await t.close();
    await provider.close();
  });

  function post(params: Record<string, string>, signature?: string) {
    const url = `${t.deps.config.publicUrl}${INBOUND}`;
    // Computed here from the documented algorithm, independently of the server's code.
    const data = Object.keys(params)
      .sort()
      .reduce((acc, k) => acc + k + params[k], url);
    const good = createHmac('sha1', AUTH_TOKEN).update(data).digest('base64');
    return t.app.inject({
      method: 'POST',
      url: INBOUND,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature ?? good },
      payload: new URLSearchParams(params).toString(),
    });
  }

  const text = (from: string, body: string, extra: Record<string, string> = {}) => {
    sid += 1;
    return { MessageSid: `SM${dialect}${sid}`, AccountSid: 'AC42', From: from, To: OUR_NUMBER, Body: body, NumMedia: '0', ...extra };
  };

  async function smsTickets(): Promise<{ number: number; subject: string; status: string }[]> {
    return (await t.admin.get('/api/v1/tickets?q=channel:sms')).json<{ items: { number: number; subject: string; status: string }[] }>().items;
  }

  async function messagesOf(number: number): Promise<{ kind: string; bodyText: string }[]> {
    return (await t.admin.get(`/api/v1/tickets/${number}/messages`)).json<{ items: { kind: string; bodyText: string }[] }>().items;
  }

  it('refuses a forged or unsigned text (403) and stores nothing', async () => {
    const before = (await smsTickets()).length;
    const forged = await post(text('+15557770000', 'forged'), 'bm90IGEgc2lnbmF0dXJl');
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('signature_invalid');
    const params = text('+15557770000', 'unsigned');
    const unsigned = await t.app.inject({ method: 'POST', url: INBOUND, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(params).toString() });
    expect(unsigned.statusCode).toBe(403);
    // A valid signature over other parameters (a changed body) is refused too.
    const p = text('+15557770000', 'original');
    const signed = createHmac('sha1', AUTH_TOKEN)
      .update(Object.keys(p).sort().reduce((a, k) => a + k + p[k as keyof typeof p], `${t.deps.config.publicUrl}${INBOUND}`))
      .digest('base64');
    expect((await post({ ...p, Body: 'tampered' }, signed)).statusCode).toBe(403);
    expect(await smsTickets()).toHaveLength(before);
    const contacts = await t.admin.get('/api/v1/contacts?q=%2B15557770000');
    expect(contacts.json().items).toHaveLength(0);
  });

  it('opens a ticket for a new number, threads the next texts into it, and ignores a redelivery', async () => {
    const first = text('+1 (555) 765-4321', 'My order #123 is late', { NumMedia: '1', MediaUrl0: 'https://media.example/photo.jpg', MediaContentType0: 'image/jpeg' });
    const res = await post(first);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    const tickets = (await smsTickets()).filter((x) => x.subject === 'My order #123 is late');
    expect(tickets).toHaveLength(1);
    const number = tickets[0]!.number;
    const ticket = (await t.admin.get(`/api/v1/tickets/${number}`)).json();
    expect(ticket.channel).toBe('sms');
    const contact = (await t.admin.get(`/api/v1/contacts/${ticket.requester.id}`)).json();
    expect(contact.phones).toEqual(['+15557654321']);

    expect((await post(text('+15557654321', 'Any update?'))).statusCode).toBe(200);
    expect((await post(first)).statusCode).toBe(200);
    const msgs = await messagesOf(number);
    expect(msgs.map((m) => m.bodyText)).toEqual(['My order #123 is late\n\nAttachment 1: https://media.example/photo.jpg', 'Any update?']);
    expect(msgs.every((m) => m.kind === 'customer')).toBe(true);
    expect((await smsTickets()).filter((x) => x.subject === 'My order #123 is late')).toHaveLength(1);
  });

  it("sends an agent's reply to the customer's number through the provider, retrying after a failure", async () => {
    await post(text('+15551112222', 'Where is my parcel?'));
    const number = (await smsTickets()).find((x) => x.subject === 'Where is my parcel?')!.number;
    provider.failNext(1);
    const reply = await t.admin.post(`/api/v1/tickets/${number}/messages`, { kind: 'reply', body: 'It ships today.' });
    expect(reply.statusCode).toBe(201);
    await settle(t);
    let texts = (await t.admin.get(`/api/v1/tickets/${number}/texts`)).json<{ items: { direction: string; status: string; lastError: string | null; attempts: number; externalId: string | null }[] }>().items;
    expect(texts.find((x) => x.direction === 'outbound')).toMatchObject({ status: 'queued', attempts: 1 });
    expect(texts.find((x) => x.direction === 'outbound')!.lastError).toContain('503');
    const sent = provider.requests.length;

    t.clock.advance(60_000);
    await settle(t);
    texts = (await t.admin.get(`/api/v1/tickets/${number}/texts`)).json().items;
    expect(texts.find((x) => x.direction === 'outbound')).toMatchObject({ status: 'sent', attempts: 2, lastError: null, externalId: `SMout${sent + 1}` });
    const request = provider.requests.at(-1)!;
    expect(request.url).toBe('/2010-04-01/Accounts/AC42/Messages.json');
    expect(request.authorization).toBe(`Basic ${Buffer.from(`AC42:${AUTH_TOKEN}`).toString('base64')}`);
    expect(request.form).toEqual({ To: '+15551112222', From: OUR_NUMBER, Body: 'It ships today.' });

    // An internal note never leaves as a text.
    await t.admin.post(`/api/v1/tickets/${number}/messages`, { kind: 'note', body: 'Carrier is slow' });
    await settle(t);
    expect(provider.requests.some((r) => r.form.Body === 'Carrier is slow')).toBe(false);
  });

  it('stores a text delivered twice at the same moment once, and two first texts from one number share a contact and ticket', async () => {
    const same = text('+15556667777', 'Hello twice');
    const both = await Promise.all([post(same), post(same)]);
    expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
    const a = text('+15558889999', 'First of two at once');
    const b = text('+15558889999', 'Second of two at once');
    const pair = await Promise.all([post(a), post(b)]);
    expect(pair.map((r) => r.statusCode)).toEqual([200, 200]);
    const hello = (await smsTickets()).filter((x) => x.subject === 'Hello twice');
    expect(hello).toHaveLength(1);
    expect(await messagesOf(hello[0]!.number)).toHaveLength(1);
    const contacts = (await t.admin.get('/api/v1/contacts?q=%2B15558889999')).json().items;
    expect(contacts).toHaveLength(1);
  });

  it("texts the requester's number from the configured number when an agent opened the sms ticket", async () => {
    const c = await t.admin.post('/api/v1/contacts', { name: 'Pat Phone', phones: ['+15554443333'] });
    const created = await t.admin.post('/api/v1/tickets', { subject: 'Opened by an agent', requesterId: c.json().id, channel: 'sms', message: { body: 'Customer called about a text.' } });
    expect(created.statusCode).toBe(201);
    const number = created.json().number;
    await t.admin.post(`/api/v1/tickets/${number}/messages`, { kind: 'reply', body: 'Texting you the details.' });
    await settle(t);
    expect(provider.requests.at(-1)!.form).toEqual({ To: '+15554443333', From: OUR_NUMBER, Body: 'Texting you the details.' });
  });

  it('opens a new ticket when the number writes again after its ticket was closed', async () => {
    await post(text('+15553334444', 'First problem'));
    const first = (await smsTickets()).find((x) => x.subject === 'First problem')!.number;
    expect((await t.admin.patch(`/api/v1/tickets/${first}`, { status: 'closed' })).statusCode).toBe(200);
    await post(text('+15553334444', 'Second problem'));
    const second = (await smsTickets()).find((x) => x.subject === 'Second problem')!.number;
    expect(second).not.toBe(first);
    expect((await messagesOf(first)).map((m) => m.bodyText)).toEqual(['First problem']);
  });
});
