import type { z } from 'zod';
import type { inboundMailDetail, inboundMailSummary, mailboxResponse } from '../../../contracts/mail.js';
import type { InboundMail } from './inbound.repository.js';
import type { DeliveryReportRow } from './threads.repository.js';
import type { Mailbox } from './mailboxes.repository.js';

/** What an admin must not miss about a mailbox's IMAP polling. */
export function imapWarnings(m: Mailbox): string[] {
  const out: string[] = [];
  const s = m.imapSync;
  if (s.state === 'auth_failed') out.push(`IMAP authentication FAILED at ${s.lastErrorAt ?? 'the last poll'} (${s.consecutiveFailures} times in a row): ${s.lastError ?? ''}. No mail is fetched until the credentials are fixed.`);
  else if (s.state === 'error') out.push(`IMAP polling FAILED at ${s.lastErrorAt ?? 'the last poll'} (${s.consecutiveFailures} times in a row): ${s.lastError ?? ''}`);
  if (m.imap.enabled || m.imap.host) {
    if (!m.imap.tls) out.push('IMAP runs WITHOUT TLS: the password and every message cross the network in plain text.');
    else if (!m.imap.tlsVerify) out.push("IMAP TLS certificate verification is OFF: anyone on the network path can pose as the server and read the password and mail. Turn it back on (imap.tlsVerify: true) once the server's certificate is valid.");
  }
  return out;
}

/** The IMAP password never leaves the server: responses only say whether one is set. */
export const presentMailbox = (m: Mailbox): z.infer<typeof mailboxResponse> => ({
  id: m.id,
  address: m.address,
  displayName: m.displayName,
  brand: m.brand,
  defaultGroupId: m.defaultGroupId,
  active: m.active,
  imap: {
    host: m.imap.host,
    port: m.imap.port,
    tls: m.imap.tls,
    tlsVerify: m.imap.tlsVerify,
    user: m.imap.user,
    passwordSet: Boolean(m.imap.password),
    folder: m.imap.folder,
    keepOnServer: m.imap.keepOnServer,
    enabled: m.imap.enabled,
    ...m.imapSync,
    warnings: imapWarnings(m),
  },
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
});

export const presentInboundSummary = (m: InboundMail, numbers: Map<string, number>): z.infer<typeof inboundMailSummary> => ({
  id: m.id,
  messageId: m.messageId,
  source: m.source,
  mailboxId: m.mailboxId,
  status: m.status,
  reason: m.reason,
  from: m.from,
  subject: m.subject,
  size: m.size,
  deliveries: m.deliveries,
  kind: m.kind as z.infer<typeof inboundMailSummary>['kind'],
  suppressAutoReply: m.suppressAutoReply,
  ticketNumber: m.ticketId ? (numbers.get(m.ticketId) ?? null) : null,
  ticketMessageId: m.ticketMessageId,
  receivedAt: m.receivedAt,
  processedAt: m.processedAt,
});

export const presentInboundDetail = (m: InboundMail, numbers: Map<string, number>, reports: DeliveryReportRow[] = []): z.infer<typeof inboundMailDetail> => ({
  ...presentInboundSummary(m, numbers),
  envelope: m.envelope,
  loopSignals: m.loopSignals,
  threadMatch: m.threadMatch,
  trimmed: m.trimmed,
  attempts: m.attempts,
  rawUrl: `/api/v1/mail/inbound/${m.id}/raw`,
  deliveryReports: reports.map((r) => ({ originalMessageId: r.originalHeaderId, recipient: r.recipient, action: r.action, status: r.status, diagnostic: r.diagnostic, handledAt: r.handledAt })),
});
