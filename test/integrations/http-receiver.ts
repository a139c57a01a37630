import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server standing in for a customer's endpoint; answers with the queued responses (else 200). */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Answers for the next requests, in order: a status, optionally a JSON body or a redirect target. */
  answers: { status: number; json?: unknown; location?: string }[];
  close(): Promise<void>;
}

export async function startReceiver(host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  const answers: Receiver['answers'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answers.shift() ?? { status: 200 };
      if (a.location) res.setHeader('location', a.location);
      if (a.json !== undefined) res.setHeader('content-type', 'application/json');
      res.statusCode = a.status;
      res.end(a.json !== undefined ? JSON.stringify(a.json) : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    received,
    answers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
