import nodemailer, { type Transporter } from 'nodemailer';

export interface SendResult {
  /** The relay's final answer (or where the local outbox put it). */
  response: string;
  accepted: string[];
  /** Recipients the relay refused while accepting others. */
  rejected: string[];
}

/** A send that did not happen. Permanent failures (5xx) are not worth retrying. */
export class SendFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | null,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

export interface MailSender {
  /** 'smtp' through the relay; 'local' into the local outbox (no relay configured). */
  readonly transport: 'smtp' | 'local';
  send(raw: Buffer, envelope: { from: string; to: string[] }): Promise<SendResult>;
}

interface NodemailerError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

function toFailure(err: unknown): SendFailure {
  const e = (err ?? {}) as NodemailerError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const text = (e.response || e.message || String(err)).replace(/\s+/g, ' ').trim().slice(0, 1000);
  // 5xx refuses the message or every recipient; anything else (connection, timeouts, 4xx, auth) may pass later.
  const permanent = code !== null && code >= 500 && code < 600 && e.code !== 'EAUTH';
  return new SendFailure(e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text, permanent, code);
}

/** Sends through the SMTP relay given as a URL (nodemailer parses credentials and options from it). */
export function smtpSender(url: string): MailSender {
  const transporter: Transporter = nodemailer.createTransport({
    url,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    transport: 'smtp',
    async send(raw, envelope) {
      try {
        const info = await transporter.sendMail({ envelope, raw });
        const asText = (xs: unknown[] | undefined) => (xs ?? []).map((x) => (typeof x === 'string' ? x : (x as { address: string }).address));
        return { response: String(info.response ?? ''), accepted: asText(info.accepted), rejected: asText(info.rejected) };
      } catch (err) {
        throw toFailure(err);
      }
    },
  };
}

/** Without a relay nothing leaves the machine: the stored message itself is the outbox entry. */
export const localOutboxSender: MailSender = {
  transport: 'local',
  send: (_raw, envelope) => Promise.resolve({ response: 'kept in the local outbox (no SMTP_URL configured)', accepted: envelope.to, rejected: [] }),
};

export const mailSenderFor = (smtpUrl: string | null): MailSender => (smtpUrl ? smtpSender(smtpUrl) : localOutboxSender);
