import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { openSystem } from '../../server/main.js';
import { systemActor } from '../../server/platform/context.js';
import type { AppDeps } from '../../server/platform/http/types.js';
import { runMailPipe } from '../../server/modules/channels/index.js';
import { createMailbox } from '../../server/modules/channels/mailboxes.service.js';
import { listInboundPage } from '../../server/modules/channels/inbound.repository.js';
import { fixture } from './mail-support.js';
import { cli } from './process-support.js';

// The real command is a Node process of its own: slow to start on a busy machine.
describe('tessera mail-pipe (MTA pipe transport) on SQLite', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  const open = (): Promise<AppDeps> => openSystem(loadConfig(env));
  const close = async (deps: AppDeps) => {
    await deps.jobs.stop();
    await deps.events.idle();
    await deps.database.close();
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-pipe-'));
    env = { TESSERA_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' };
    const deps = await open();
    try {
      await createMailbox({ actor: systemActor('test'), requestId: 't', now: new Date(), db: deps.database.db, events: deps.events }, {
        address: 'support@acme.test',
        displayName: 'Support',
        brand: { name: '', logoUrl: null, colour: '#1f6feb', signature: '' },
        defaultGroupId: null,
        active: true,
      });
    } finally {
      await close(deps);
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pipe = async (mailbox: string | undefined, input: Buffer | string, openFn = open) => {
    const lines: string[] = [];
    const code = await runMailPipe({ mailbox, input: Readable.from([Buffer.from(input)]), open: openFn, report: (l) => lines.push(l) });
    return { code, out: lines.join('\n') };
  };

  it('exits 65 for input that can never be accepted and 75 when it may work later', async () => {
    expect((await pipe(undefined, fixture('06-attachment.eml'))).code).toBe(65);
    expect((await pipe('support@acme.test', '')).code).toBe(65);
    expect((await pipe('nobody@acme.test', fixture('06-attachment.eml'))).code).toBe(65);
    process.env.TESSERA_MAX_MAIL_MB = '0.01';
    try {
      expect((await pipe('support@acme.test', Buffer.alloc(20_000, 'a'))).code).toBe(65);
    } finally {
      delete process.env.TESSERA_MAX_MAIL_MB;
    }
    const down = await pipe('support@acme.test', fixture('06-attachment.eml'), () => Promise.reject(new Error('connect ECONNREFUSED')));
    expect(down).toEqual({ code: 75, out: expect.stringContaining('temporary failure') });
    // Nothing of the above was stored.
    const deps = await open();
    try {
      expect(await listInboundPage(deps.database.db, { limit: 10 })).toHaveLength(0);
    } finally {
      await close(deps);
    }
  });

  it('the real command stores from standard input (exit 0, also for a repeat), and a worker files it', async () => {
    const ok = await cli(['mail-pipe', '--mailbox', 'support@acme.test'], env, fixture('01-plain-text.eml'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('stored <plain-1@customer.test>');
    const again = await cli(['mail-pipe', '--mailbox', 'Support@Acme.test'], env, fixture('01-plain-text.eml'));
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already stored');
    // The database cannot be reached: the MTA must keep the message and retry.
    const down = await cli(['mail-pipe', '--mailbox', 'support@acme.test'], { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tessera' }, fixture('06-attachment.eml'));
    expect(down.code, down.stderr).toBe(75);

    const deps = await open();
    try {
      await deps.jobs.start();
      await deps.jobs.drain();
      const rows = await listInboundPage(deps.database.db, { limit: 10 });
      expect(rows).toEqual([expect.objectContaining({ messageId: '<plain-1@customer.test>', source: 'pipe', status: 'processed', deliveries: 2 })]);
      expect(rows[0]!.ticketId).not.toBeNull();
    } finally {
      await close(deps);
    }
  }, 60_000);
});
