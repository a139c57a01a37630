import PostalMime, { type Address } from 'postal-mime';
import { extractMessageIds, repairText, headerValue, parseHeaderText, readTopHeaders, type RawHeader } from './raw-headers.js';

export interface MailAddress {
  /** Lower-cased. */
  address: string;
  name: string;
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Content-ID without angle brackets, when the part has one. */
  contentId: string | null;
  /** Shown in the HTML body (cid image) rather than offered as a file. */
  inline: boolean;
}

export interface DeliveryReport {
  /** The Message-ID of the message that could not be delivered, when the report includes it. */
  originalMessageId: string | null;
  recipients: { recipient: string | null; action: string; status: string | null; diagnostic: string | null }[];
}

/** A parsed message: decoded headers, bodies, attachments and, for DSNs, the report. */
export interface ParsedMail {
  headers: RawHeader[];
  messageId: string | null;
  from: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  date: string | null;
  inReplyTo: string[];
  references: string[];
  text: string | null;
  html: string | null;
  attachments: MailAttachment[];
  deliveryReport: DeliveryReport | null;
}

const repairTextOrNull = (s: string | undefined): string | null => (s === undefined ? null : repairText(s));

function flatten(list: Address[] | Address | undefined): MailAddress[] {
  const items = Array.isArray(list) ? list : list ? [list] : [];
  const out: MailAddress[] = [];
  for (const a of items) {
    if (a.group) out.push(...flatten(a.group));
    else if (a.address && a.address.includes('@')) out.push({ address: a.address.replace(/\u0000/g, '').trim().toLowerCase(), name: repairText(a.name ?? '').trim() });
  }
  return out;
}

const toBuffer = (c: ArrayBuffer | Uint8Array | string): Buffer => (typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c instanceof ArrayBuffer ? new Uint8Array(c) : c));

const EXTENSIONS: Record<string, string> = {
  'text/calendar': 'ics',
  'message/rfc822': 'eml',
  'text/plain': 'txt',
  'text/html': 'html',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};

function defaultName(mimeType: string, index: number): string {
  if (mimeType === 'message/rfc822') return 'forwarded-message.eml';
  if (mimeType === 'text/calendar') return 'invite.ics';
  return `attachment-${index + 1}.${EXTENSIONS[mimeType] ?? 'bin'}`;
}

function parseDeliveryStatus(text: string): DeliveryReport['recipients'] {
  // Per-message fields first, then one block of fields per recipient, separated by blank lines.
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map(parseHeaderText);
  const out: DeliveryReport['recipients'] = [];
  for (const block of blocks) {
    const action = headerValue(block, 'action');
    if (!action) continue;
    const recipient = headerValue(block, 'final-recipient') ?? headerValue(block, 'original-recipient') ?? null;
    out.push({
      recipient: recipient ? recipient.replace(/^\s*rfc822\s*;\s*/i, '').trim().toLowerCase() : null,
      action: action.trim().toLowerCase(),
      status: headerValue(block, 'status')?.trim() ?? null,
      diagnostic: headerValue(block, 'diagnostic-code')?.slice(0, 1000) ?? null,
    });
  }
  return out;
}

function isDeliveryReport(headers: readonly RawHeader[]): boolean {
  const ct = (headerValue(headers, 'content-type') ?? '').toLowerCase();
  return /^\s*multipart\/report\b/.test(ct) && /report-type\s*=\s*"?delivery-status"?/.test(ct);
}

/** Parses a raw RFC 5322 message (any charset postal-mime and the runtime's TextDecoder know). */
export async function parseMail(raw: Uint8Array): Promise<ParsedMail> {
  const top = readTopHeaders(raw);
  const report = isDeliveryReport(top);
  const email = await PostalMime.parse(raw, { forceRfc822Attachments: report, maxNestingDepth: 50 });
  const headers: RawHeader[] = email.headers.map((h) => ({ key: h.key, value: h.value }));
  const attachments: MailAttachment[] = [];
  let deliveryReport: DeliveryReport | null = null;
  if (report) deliveryReport = { originalMessageId: null, recipients: [] };
  email.attachments.forEach((a, i) => {
    const content = toBuffer(a.content);
    const mimeType = (a.mimeType || 'application/octet-stream').toLowerCase();
    if (deliveryReport && mimeType === 'message/delivery-status') {
      deliveryReport.recipients.push(...parseDeliveryStatus(content.toString('utf8')));
      return;
    }
    if (deliveryReport && (mimeType === 'message/rfc822' || mimeType === 'text/rfc822-headers' || mimeType === 'message/rfc822-headers')) {
      deliveryReport.originalMessageId ??= extractMessageIds(headerValue(readTopHeaders(content), 'message-id'))[0] ?? null;
      return;
    }
    const contentId = a.contentId ? a.contentId.replace(/^<|>$/g, '').trim() || null : null;
    attachments.push({
      filename: repairText(a.filename ?? '').trim() || defaultName(mimeType, i),
      contentType: mimeType,
      content,
      contentId,
      inline: Boolean(a.related) || (a.disposition === 'inline' && contentId !== null && mimeType.startsWith('image/')),
    });
  });
  return {
    headers,
    messageId: extractMessageIds(email.messageId)[0] ?? null,
    from: flatten(email.from)[0] ?? flatten(email.sender)[0] ?? null,
    replyTo: flatten(email.replyTo),
    to: flatten(email.to),
    cc: flatten(email.cc),
    subject: repairText(email.subject ?? '').replace(/\s+/g, ' ').trim(),
    date: email.date ?? null,
    inReplyTo: extractMessageIds(email.inReplyTo),
    references: extractMessageIds(email.references),
    text: repairTextOrNull(email.text),
    html: repairTextOrNull(email.html),
    attachments,
    deliveryReport,
  };
}
