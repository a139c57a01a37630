import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../support/test-app.js';

export const FIXTURES = join(import.meta.dirname, '../fixtures/mail');
export const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

export interface MailboxJson {
  id: string;
  address: string;
  defaultGroupId: string | null;
  imap: Record<string, unknown>;
  [k: string]: unknown;
}

export interface InboundJson {
  id: string;
  status: string;
  reason: string | null;
  kind: string | null;
  suppressAutoReply: boolean;
  threadMatch: string | null;
  ticketNumber: number | null;
  ticketMessageId: string | null;
  trimmed: boolean;
  deliveries: number;
  loopSignals: string[];
  deliveryReports: { originalMessageId: string | null; recipient: string | null; action: string; status: string | null }[];
  [k: string]: unknown;
}

export interface MessageJson {
  id: string;
  kind: string;
  author: { type: string; id: string | null; name: string };
  bodyHtml: string;
  bodyText: string;
  attachments: { id: string; filename: string; contentType: string; size: number }[];
}

/** A group and the support@acme.test mailbox routed to it, created through the admin API. */
export async function setupSupportMailbox(t: TestApp, address = 'support@acme.test'): Promise<{ mailbox: MailboxJson; groupId: string }> {
  const group = await t.admin.post('/api/v1/groups', { name: `Support ${address}` });
  if (group.statusCode !== 201) throw new Error(`group: ${group.body}`);
  const res = await t.admin.post('/api/v1/mailboxes', { address, displayName: 'Acme Support', defaultGroupId: group.json().id });
  if (res.statusCode !== 201) throw new Error(`mailbox: ${res.body}`);
  return { mailbox: res.json(), groupId: group.json().id };
}

/** Delivers raw MIME through the HTTP intake as an integrator would (admin token). */
export function postRaw(t: TestApp, raw: Buffer | string, mailbox = 'support@acme.test', token = t.admin.token): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/mail/inbound?mailbox=${encodeURIComponent(mailbox)}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
    payload: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
  });
}

export async function inbound(t: TestApp, id: string): Promise<InboundJson> {
  const res = await t.admin.get(`/api/v1/mail/inbound/${id}`);
  if (res.statusCode !== 200) throw new Error(`inbound ${id}: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function messagesOf(t: TestApp, number: number): Promise<MessageJson[]> {
  const res = await t.admin.get(`/api/v1/tickets/${number}/messages`);
  if (res.statusCode !== 200) throw new Error(`messages of #${number}: ${res.statusCode} ${res.body}`);
  return res.json().items;
}

/** Delivers through the API and runs the processing job, returning the stored row. */
export async function deliverAndProcess(t: TestApp, raw: Buffer | string, mailbox?: string): Promise<InboundJson> {
  const res = await postRaw(t, raw, mailbox);
  if (res.statusCode !== 202) throw new Error(`deliver: ${res.statusCode} ${res.body}`);
  await t.deps.jobs.drain();
  return inbound(t, res.json().id);
}

/** A minimal message for tests that need one with particular headers. */
export function mail(opts: { from: string; to?: string; subject: string; body?: string; messageId?: string; headers?: Record<string, string> }): string {
  const lines = [
    `From: ${opts.from}`,
    `To: ${opts.to ?? 'support@acme.test'}`,
    `Subject: ${opts.subject}`,
    'Date: Mon, 02 Mar 2026 08:00:00 +0000',
    ...(opts.messageId ? [`Message-ID: ${opts.messageId}`] : []),
    ...Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? 'Hello',
    '',
  ];
  return lines.join('\r\n');
}
