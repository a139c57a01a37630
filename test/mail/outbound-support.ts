import type { TestApp } from '../support/test-app.js';
import { deliverAndProcess, mail } from './mail-support.js';

export interface DeliveryJson {
  id: string;
  kind: string;
  ticketMessageId: string | null;
  messageId: string;
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  subject: string;
  automatic: boolean;
  status: string;
  transport: string | null;
  attempts: number;
  lastError: string | null;
  smtpResponse: string | null;
}

/** Lets every committed event reach its subscribers and every due job run, until nothing moves. */
export async function settle(t: TestApp): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await t.deps.events.idle();
    const ran = await t.deps.jobs.drain();
    await t.deps.events.idle();
    if (ran === 0) return;
  }
}

export async function deliveries(t: TestApp, number: number): Promise<DeliveryJson[]> {
  const res = await t.admin.get(`/api/v1/tickets/${number}/mail-deliveries`);
  if (res.statusCode !== 200) throw new Error(`deliveries of #${number}: ${res.statusCode} ${res.body}`);
  return res.json().items;
}

let seq = 0;

/** A customer writes in by mail; returns the new ticket's number and the mail's Message-ID. */
export async function mailIn(t: TestApp, o: { from: string; subject: string; body?: string; cc?: string; headers?: Record<string, string> }): Promise<{ number: number; messageId: string }> {
  seq += 1;
  const messageId = `<in-${seq}-${Date.now()}@customer.test>`;
  const row = await deliverAndProcess(t, mail({ from: o.from, subject: o.subject, body: o.body ?? 'Hello, I need help.', messageId, headers: { ...(o.cc ? { Cc: o.cc } : {}), ...(o.headers ?? {}) } }));
  if (!row.ticketNumber) throw new Error(`no ticket: ${JSON.stringify(row)}`);
  return { number: row.ticketNumber, messageId };
}

export async function reply(t: TestApp, number: number, body: string, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await t.admin.post(`/api/v1/tickets/${number}/messages`, { kind: 'reply', body, ...extra });
  if (res.statusCode !== 201) throw new Error(`reply: ${res.statusCode} ${res.body}`);
  return res.json().message;
}

/** PUT as the admin (the shared test client has no put). */
export function put(t: TestApp, url: string, body: unknown) {
  return t.app.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${t.admin.token}` }, payload: body as object });
}
