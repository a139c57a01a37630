import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropPostgresDatabase } from '../../server/platform/db/dialect/postgres.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { api, freePort, installation, serve, stop, type Served } from './process-support.js';

const TOTAL = 160;
const KILL_AFTER = 40;

describeEachDialect('inbound SMTP durability: SIGKILL while mail arrives', (dialect) => {
  let dir: string;
  let env: Record<string, string>;
  let pgUrl: string | null = null;
  let token: string;
  let running: Served | null = null;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-durability-'));
    env = { TESSERA_DATA_DIR: join(dir, 'data'), TESSERA_SMTP_PORT: String(await freePort()) };
    if (dialect === 'postgres') {
      pgUrl = `${process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432'}/tessera_durability_${randomBytes(4).toString('hex')}`;
      env.DATABASE_URL = pgUrl;
    }
    token = await installation(env);
  }, 120_000);
  afterAll(async () => {
    if (running) await stop(running.proc, 'SIGKILL');
    if (pgUrl) await dropPostgresDatabase(pgUrl);
    rmSync(dir, { recursive: true, force: true });
  });

  it('every message answered 250 before the kill is stored, and is processed after the restart', async () => {
    // First process: web + smtp only, so nothing is turned into tickets before the crash.
    running = await serve({ ...env, TESSERA_ROLES: 'web,smtp' }, { waitForSmtp: true });
    const created = await api(running.url, token, 'POST', '/api/v1/mailboxes', { address: 'support@acme.test', displayName: 'Support' });
    expect(created.status, JSON.stringify(created.json)).toBe(201);

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(env.TESSERA_SMTP_PORT), pool: true, maxConnections: 8, maxMessages: Infinity, socketTimeout: 10_000 });
    const acked: string[] = [];
    let failed = 0;
    const proc = running.proc;
    const sends = Array.from({ length: TOTAL }, (_, i) => {
      const messageId = `<durable-${i}@customer.test>`;
      return transport
        .sendMail({ from: `sender${i}@customer.test`, to: 'support@acme.test', subject: `Durable ${i}`, text: `Message number ${i}`, messageId })
        .then((info) => {
          if (/^250 /.test(info.response)) acked.push(messageId);
          if (acked.length === KILL_AFTER) proc.kill('SIGKILL');
        })
        .catch(() => {
          failed += 1;
        });
    });
    await Promise.all(sends);
    transport.close();
    await stop(proc, 'SIGKILL');
    running = null;
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);
    // The kill really happened mid-stream: some messages were never acknowledged.
    expect(failed).toBeGreaterThan(0);

    // Second process: all roles; the worker turns the stored mail into tickets.
    running = await serve(env, { waitForSmtp: true });
    const deadline = Date.now() + 60_000;
    let byId = new Map<string, { status: string; ticketNumber: number | null }>();
    for (;;) {
      const items: { messageId: string; status: string; ticketNumber: number | null }[] = [];
      let cursor: string | null = null;
      do {
        const page: { json: { items: typeof items; nextCursor: string | null } } = await api(running.url, token, 'GET', `/api/v1/mail/inbound?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        items.push(...page.json.items);
        cursor = page.json.nextCursor;
      } while (cursor);
      byId = new Map(items.map((x) => [x.messageId, x]));
      if (acked.every((id) => byId.get(id)?.status === 'processed') || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const missing = acked.filter((id) => !byId.has(id));
    expect(missing, 'acknowledged but not stored').toEqual([]);
    expect(acked.filter((id) => byId.get(id)?.status !== 'processed')).toEqual([]);
    const numbers = new Set(acked.map((id) => byId.get(id)!.ticketNumber));
    expect(numbers.size).toBe(acked.length);
    const one = await api(running.url, token, 'GET', `/api/v1/tickets/${byId.get(acked[0]!)!.ticketNumber}`);
    expect(one.json).toMatchObject({ channel: 'email', subject: expect.stringMatching(/^Durable \d+$/) });
  }, 180_000);
});
