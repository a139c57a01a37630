import nodemailer from 'nodemailer';

/**
 * Builds outbound MIME. Every value that ends up in a header passes through one of the guards
 * below first, so no name, subject or custom field can add a header line or a recipient, even if
 * the library under it changed its own escaping.
 */
export interface MailAddress {
  name: string;
  address: string;
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ComposeInput {
  /** `<id@domain>`, our own. */
  messageId: string;
  from: MailAddress;
  replyTo: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  html: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  date: Date;
  /** Automatic mail (RFC 3834): `Auto-Submitted: auto-replied`, and asks Exchange not to answer it. */
  automatic: boolean;
  /** Extra headers with fixed names chosen by us; values are guarded like every other. */
  headers?: Record<string, string> | undefined;
  attachments: MailAttachment[];
}

// Controls (C0 with CR/LF/TAB, DEL, C1) and the Unicode line and paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A single header line's worth of text: no control characters, no line breaks, bounded. */
export function headerText(value: string, max = 900): string {
  return value.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

// Deliberately narrower than RFC 5322: ASCII only (no SMTPUTF8), no quoted local parts,
// comments, groups or source routes.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

/** Whether an address can go into To/Cc/Reply-To and the SMTP envelope as it is. */
export function isSafeAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address) && !address.includes('..');
}

const MESSAGE_ID = /^<[^<>\s"(),;:\\[\]@]{1,400}@[^<>\s"(),;:\\[\]@]{1,255}>$/;

export function isSafeMessageId(id: string): boolean {
  return MESSAGE_ID.test(id);
}

const safeAddress = (a: MailAddress): { name: string; address: string } => {
  if (!isSafeAddress(a.address)) throw new Error(`unsafe mail address ${JSON.stringify(a.address.slice(0, 100))}`);
  return { name: headerText(a.name, 200), address: a.address };
};

/** RFC 5322 asks for the first and the latest ids of a long chain; mail clients need no more. */
export function referencesChain(ids: readonly string[], max = 20): string[] {
  const safe = [...new Set(ids.filter(isSafeMessageId))];
  return safe.length <= max ? safe : [safe[0]!, ...safe.slice(safe.length - (max - 1))];
}

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', disableFileAccess: true, disableUrlAccess: true });

/** The raw message, CRLF line ends, ready for an SMTP relay or the local outbox. */
export async function composeMail(input: ComposeInput): Promise<Buffer> {
  if (!isSafeMessageId(input.messageId)) throw new Error('unsafe Message-ID');
  const inReplyTo = input.inReplyTo && isSafeMessageId(input.inReplyTo) ? input.inReplyTo : undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) {
    if (!/^X-[A-Za-z0-9-]{1,60}$/.test(k)) throw new Error(`unsafe header name ${k}`);
    headers[k] = headerText(v, 500);
  }
  if (input.automatic) {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  const info = await composer.sendMail({
    messageId: input.messageId,
    date: input.date,
    from: safeAddress(input.from),
    ...(input.replyTo ? { replyTo: safeAddress(input.replyTo) } : {}),
    to: input.to.map(safeAddress),
    ...(input.cc.length ? { cc: input.cc.map(safeAddress) } : {}),
    subject: headerText(input.subject),
    text: input.text,
    html: input.html,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(input.references.length ? { references: referencesChain(input.references) } : {}),
    headers,
    attachments: input.attachments.map((a) => ({ filename: headerText(a.filename, 255) || 'attachment', contentType: /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType : 'application/octet-stream', content: a.content })),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return info.message as Buffer;
}
