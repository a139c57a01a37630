import type { Readable } from 'node:stream';
import { systemActor } from '../../platform/context.js';
import type { AppDeps } from '../../platform/http/types.js';
import { loadMailConfig } from '../../platform/mail/mail-config.js';
import { storeInboundMail } from './inbound-store.service.js';
import { activeMailboxFor } from './mailboxes.service.js';

/** sysexits(3) codes an MTA's pipe transport understands. */
export const EX_OK = 0;
export const EX_DATAERR = 65;
export const EX_TEMPFAIL = 75;

class TooLarge extends Error {}

async function readAll(input: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > max) throw new TooLarge(`the message is larger than ${max} bytes (TESSERA_MAX_MAIL_MB)`);
    chunks.push(b);
  }
  return Buffer.concat(chunks, size);
}

/**
 * `tessera mail-pipe --mailbox ADDRESS < message.eml` for an MTA pipe transport: stores the
 * message and exits 0, or 65 for input that will never be accepted (so the MTA bounces it),
 * or 75 for anything that may pass later (database down, ...), so the MTA keeps it and retries.
 */
export async function runMailPipe(opts: { mailbox: string | undefined; input: Readable; open(): Promise<AppDeps>; report(line: string): void }): Promise<number> {
  if (!opts.mailbox) {
    opts.report('mail-pipe: --mailbox ADDRESS is required');
    return EX_DATAERR;
  }
  let raw: Buffer;
  try {
    raw = await readAll(opts.input, loadMailConfig().maxMailBytes);
  } catch (err) {
    opts.report(`mail-pipe: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof TooLarge ? EX_DATAERR : EX_TEMPFAIL;
  }
  if (raw.length === 0) {
    opts.report('mail-pipe: no message on standard input');
    return EX_DATAERR;
  }
  let deps: AppDeps;
  try {
    deps = await opts.open();
  } catch (err) {
    opts.report(`mail-pipe: temporary failure, the MTA should retry: ${err instanceof Error ? err.message : String(err)}`);
    return EX_TEMPFAIL;
  }
  try {
    const mailbox = await activeMailboxFor(deps.database.db, opts.mailbox);
    if (!mailbox) {
      opts.report(`mail-pipe: no active mailbox has the address ${opts.mailbox}`);
      return EX_DATAERR;
    }
    const ctx = { actor: systemActor('pipe'), requestId: 'mail-pipe', now: deps.clock.now(), db: deps.database.db, events: deps.events };
    const stored = await storeInboundMail(ctx, { raw, source: 'pipe', mailboxId: mailbox.id, envelope: { mailFrom: null, rcptTo: [opts.mailbox.toLowerCase()], remoteAddress: null, helo: null, tls: false } });
    opts.report(`mail-pipe: stored ${stored.messageId}${stored.duplicate ? ' (already stored before)' : ''}`);
    return EX_OK;
  } catch (err) {
    opts.report(`mail-pipe: temporary failure, the MTA should retry: ${err instanceof Error ? err.message : String(err)}`);
    return EX_TEMPFAIL;
  } finally {
    await deps.jobs.stop().catch(() => undefined);
    await deps.events.idle().catch(() => undefined);
    await deps.database.close().catch(() => undefined);
  }
}
