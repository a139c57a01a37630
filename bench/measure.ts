import { fork, type ChildProcess } from 'node:child_process';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

export interface LoadSpec {
  name: string;
  baseUrl: string;
  token: string;
  concurrency: number;
  /** Both bounds apply; whichever is reached first ends the run. */
  maxRequests: number;
  maxMs: number;
  /** Unrecorded requests first, so connections and caches are warm. */
  warmup: number;
  /** Cycled through in order; a single entry repeats one request. */
  requests: PlannedRequest[];
}

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

async function send(spec: LoadSpec, req: PlannedRequest): Promise<{ ok: boolean; detail: string }> {
  const res = await fetch(spec.baseUrl + req.path, {
    method: req.method,
    headers: { authorization: `Bearer ${spec.token}`, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  // The body is read in full: a response is only done when its last byte has arrived.
  const text = await res.text();
  return { ok: res.ok, detail: res.ok ? '' : `${res.status} ${req.method} ${req.path.slice(0, 120)}: ${text.slice(0, 300)}` };
}

/** Runs C clients over keep-alive connections (fetch's pooled dispatcher) until a bound is hit. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  const latencies: number[] = [];
  const one = async (record: boolean) => {
    const req = spec.requests[next++ % spec.requests.length]!;
    const t0 = performance.now();
    try {
      const { ok, detail } = await send(spec, req);
      if (!ok) {
        errors += 1;
        firstError ??= detail;
      }
    } catch (err) {
      errors += 1;
      firstError ??= String(err);
    }
    if (record) latencies.push(performance.now() - t0);
  };
  const warmupClients = Math.min(spec.concurrency, Math.max(1, spec.warmup));
  let warm = 0;
  await Promise.all(Array.from({ length: warmupClients }, async () => {
    while (warm++ < spec.warmup) await one(false);
  }));

  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + spec.maxMs;
  await Promise.all(Array.from({ length: spec.concurrency }, async () => {
    while (started < spec.maxRequests && performance.now() < deadline) {
      started += 1;
      await one(true);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name: spec.name,
    requests: latencies.length,
    errors,
    firstError,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
  };
}

export interface SmtpLoadSpec {
  name: string;
  host: string;
  port: number;
  /** Concurrent senders, each on its own kept-open connection, one message after another. */
  senders: number;
  maxMails: number;
  maxMs: number;
  warmup: number;
  to: string;
  /** Size of each message body (plain text), bytes. */
  bodyBytes: number;
}

export interface SmtpLoadResult {
  name: string;
  mails: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  perSecond: number;
  /** From the DATA command to the server's 250 after the message, ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One nodemailer SMTP connection whose DATA commands are timed up to the final 250. */
async function openSender(spec: SmtpLoadSpec): Promise<{ send(raw: string, from: string): Promise<number>; close(): void }> {
  const conn = new SMTPConnection({ host: spec.host, port: spec.port, secure: false, ignoreTLS: true, connectionTimeout: 10_000, socketTimeout: 30_000 });
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  // nodemailer has no hook for "DATA sent"; its command writer is wrapped to note the moment.
  let dataAt = 0;
  const inner = conn as unknown as { _sendCommand(str: string, logStr?: string): void };
  const original = inner._sendCommand.bind(conn);
  inner._sendCommand = (str, logStr) => {
    if (str === 'DATA') dataAt = performance.now();
    original(str, logStr);
  };
  return {
    send: (raw, from) =>
      new Promise<number>((resolve, reject) =>
        conn.send({ from, to: [spec.to] }, raw, (err) => {
          if (err) reject(err);
          else resolve(performance.now() - dataAt);
        }),
      ),
    close: () => conn.quit(),
  };
}

/** Several concurrent senders deliver distinct messages until a bound is hit; each 250 is one acknowledged mail. */
export async function runSmtpLoad(spec: SmtpLoadSpec): Promise<SmtpLoadResult> {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const body = `${'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(spec.bodyBytes / 45)).slice(0, spec.bodyBytes)}\r\n`;
  let seq = 0;
  const message = (): { raw: string; from: string } => {
    const n = seq++;
    const from = `sender${n % 500}@bench-customer.test`;
    const raw = [`From: Bench Sender ${n % 500} <${from}>`, `To: ${spec.to}`, `Subject: Bench mail ${n}`, `Message-ID: <bench-${run}-${n}@bench-customer.test>`, 'Date: Mon, 02 Mar 2026 08:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body].join('\r\n');
    return { raw, from };
  };
  const senders = await Promise.all(Array.from({ length: spec.senders }, () => openSender(spec)));
  let errors = 0;
  let firstError: string | null = null;
  const latencies: number[] = [];
  const one = async (s: (typeof senders)[number], record: boolean) => {
    const m = message();
    try {
      const ms = await s.send(m.raw, m.from);
      if (record) latencies.push(ms);
    } catch (err) {
      errors += 1;
      firstError ??= String(err);
    }
  };
  let warm = 0;
  await Promise.all(senders.map(async (s) => {
    while (warm++ < spec.warmup) await one(s, false);
  }));
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + spec.maxMs;
  await Promise.all(senders.map(async (s) => {
    while (started < spec.maxMails && performance.now() < deadline) {
      started += 1;
      await one(s, true);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  for (const s of senders) s.close();
  latencies.sort((a, b) => a - b);
  return {
    name: spec.name,
    mails: latencies.length,
    errors,
    firstError,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
  };
}

type FromParent = { id: number; spec: LoadSpec } | { id: number; smtp: SmtpLoadSpec } | { id: number; stop: true };
type FromChild = { id: number; result?: LoadResult; smtpResult?: SmtpLoadResult; error?: string };

/**
 * The child side: clients run in their own process so their CPU does not share the server's
 * event loop and the server process's RSS is its own.
 */
export function serveLoadRequests(): void {
  const reply = (m: FromChild) => process.send?.(m);
  process.on('message', (raw) => {
    const m = raw as FromParent;
    if ('stop' in m) {
      reply({ id: m.id });
      process.disconnect();
      return;
    }
    if ('smtp' in m) {
      runSmtpLoad(m.smtp).then(
        (smtpResult) => reply({ id: m.id, smtpResult }),
        (err: unknown) => reply({ id: m.id, error: String(err) }),
      );
      return;
    }
    runLoad(m.spec).then(
      (result) => reply({ id: m.id, result }),
      (err: unknown) => reply({ id: m.id, error: String(err) }),
    );
  });
}

/** The parent side of the load process. */
export class LoadClient {
  private seq = 0;
  private waiting = new Map<number, { resolve(r: FromChild): void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const m = raw as FromChild;
      this.waiting.get(m.id)?.resolve(m);
      this.waiting.delete(m.id);
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.resolve({ id: -1, error: `load process exited with ${code}` });
      this.waiting.clear();
    });
  }

  /** Forks `runner entry ...args`; the entry must call serveLoadRequests() when given those args. */
  static start(runner: string, args: string[]): LoadClient {
    return new LoadClient(fork(runner, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  private ask(msg: Omit<FromParent, 'id'>): Promise<FromChild> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve });
      this.child.send({ ...msg, id });
    });
  }

  async run(spec: LoadSpec): Promise<LoadResult> {
    const m = await this.ask({ spec });
    if (!m.result) throw new Error(`load run "${spec.name}" failed: ${m.error ?? 'no result'}`);
    return m.result;
  }

  async runSmtp(spec: SmtpLoadSpec): Promise<SmtpLoadResult> {
    const m = await this.ask({ smtp: spec });
    if (!m.smtpResult) throw new Error(`SMTP load run "${spec.name}" failed: ${m.error ?? 'no result'}`);
    return m.smtpResult;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await Promise.race([this.ask({ stop: true }), new Promise((resolve) => setTimeout(resolve, 5000))]);
    const killer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(killer);
  }
}
