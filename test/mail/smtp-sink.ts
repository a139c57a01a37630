import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMail, type ParsedMail } from '../../server/platform/mail/mime-parser.js';
import { parseHeaderText, type RawHeader } from '../../server/platform/mail/raw-headers.js';

export interface SinkMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  /** Every top-level header line as sent (unfolded), for "no injected header" checks. */
  headers: RawHeader[];
  headerBlock: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  port: number;
  url: string;
  mails: SinkMail[];
  /** The next `times` messages are answered with this code (e.g. 451 to test retries, 554 to refuse). */
  failNext(code: number, message: string, times?: number): void;
  /** Recipients refused at RCPT TO with 550. */
  refuse(address: string): void;
  clear(): void;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what our outbound side sends: what the customer would receive. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const refused = new Set<string>();
  let failing: { code: number; message: string; times: number } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, done) {
      if (refused.has(address.address.toLowerCase())) return done(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      done();
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failing && failing.times > 0) {
          failing.times -= 1;
          const { code, message } = failing;
          return done(Object.assign(new Error(message), { responseCode: code }));
        }
        const raw = Buffer.concat(chunks);
        const end = raw.indexOf('\r\n\r\n');
        const headerBlock = raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
        parseMail(raw).then(
          (parsed) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            mails.push({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, raw, headers: parseHeaderText(headerBlock), headerBlock, parsed });
            done();
          },
          (err: unknown) => done(err as Error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    failNext: (code, message, times = 1) => (failing = { code, message, times }),
    refuse: (a) => refused.add(a.toLowerCase()),
    clear: () => {
      mails.length = 0;
      refused.clear();
      failing = null;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
