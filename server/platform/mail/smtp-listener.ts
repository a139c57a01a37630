import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** What the SMTP client told us, kept with the stored message. */
export interface SmtpEnvelope {
  /** '' for the null sender `<>` (bounces, auto-replies). */
  mailFrom: string;
  rcptTo: string[];
  remoteAddress: string;
  helo: string;
  tls: boolean;
}

export interface SmtpListenerOptions {
  host: string;
  /** 0 picks a free port (tests, benchmarks). */
  port: number;
  /** Largest message accepted; larger ones get 552. */
  maxBytes: number;
  hostname?: string | undefined;
  /** PEM key and certificate: STARTTLS is offered only with them. */
  tls?: { key: Buffer; cert: Buffer } | null | undefined;
  /**
   * Where mail for this (lower-cased) recipient goes (a mailbox id, say), or null to refuse it
   * with 550. What it returns for the accepted recipients comes back to `deliver` as `routes`.
   */
  acceptRecipient(address: string): Promise<string | null>;
  /**
   * Stores the message; must resolve only once it is durably committed, because the client is
   * then told 250 and forgets it. Any rejection answers 451 so the client retries.
   */
  deliver(message: { raw: Buffer; envelope: SmtpEnvelope; routes: string[] }): Promise<{ id: string }>;
  onError?(err: unknown, phase: 'rcpt' | 'data'): void;
  maxClients?: number | undefined;
}

export interface SmtpListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string): Error & { responseCode: number } => Object.assign(new Error(message), { responseCode: code });

/**
 * The inbound SMTP listener: a thin wrapper around smtp-server that refuses unknown recipients
 * (550) and oversized mail (552), and answers 250 only after `deliver` has committed the message
 * (451 on any failure). It knows nothing about tickets.
 */
export async function startSmtpListener(opts: SmtpListenerOptions): Promise<SmtpListener> {
  // The routes of the current transaction's recipients; smtp-server resets the envelope after each message.
  const routes = new WeakMap<SMTPServerSession['envelope'], string[]>();
  const disabled = ['AUTH'];
  if (!opts.tls) disabled.push('STARTTLS');
  const server = new SMTPServer({
    name: opts.hostname,
    banner: 'Tessera inbound mail',
    size: opts.maxBytes,
    rejectOversized: true,
    authOptional: true,
    disabledCommands: disabled,
    logger: false,
    maxClients: opts.maxClients ?? 200,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    onRcptTo(address, session, callback) {
      const rcpt = address.address.trim().toLowerCase();
      opts.acceptRecipient(rcpt).then(
        (route) => {
          if (route === null) return callback(smtpError(550, `5.1.1 <${rcpt}>: no such mailbox here`));
          routes.set(session.envelope, [...(routes.get(session.envelope) ?? []), route]);
          callback(null);
        },
        (err: unknown) => {
          opts.onError?.(err, 'rcpt');
          callback(smtpError(451, '4.3.0 Temporary failure, please try again later'));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit the rest is drained and the server answers 552 itself.
        if (size <= opts.maxBytes) chunks.push(chunk);
      });
      stream.on('error', (err) => {
        opts.onError?.(err, 'data');
        callback(smtpError(451, '4.3.0 Temporary failure, please try again later'));
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(552, `5.3.4 Message exceeds the maximum size of ${opts.maxBytes} bytes`));
        const envelope: SmtpEnvelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address.trim().toLowerCase() : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address.trim().toLowerCase()),
          remoteAddress: session.remoteAddress,
          helo: session.hostNameAppearsAs ?? '',
          tls: Boolean(session.secure),
        };
        opts.deliver({ raw: Buffer.concat(chunks, size), envelope, routes: routes.get(session.envelope) ?? [] }).then(
          (stored) => callback(null, `2.0.0 OK queued as ${stored.id}`),
          (err: unknown) => {
            opts.onError?.(err, 'data');
            callback(smtpError(451, '4.3.0 Temporary failure, please try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => opts.onError?.(err, 'data'));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  return {
    host: opts.host,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
