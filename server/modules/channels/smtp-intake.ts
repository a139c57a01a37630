import { readFileSync } from 'node:fs';
import type { Clock } from '../../platform/clock.js';
import { systemActor, type Ctx, type EventKick } from '../../platform/context.js';
import type { AnyDb } from '../../platform/db/database.js';
import { uuidv7 } from '../../platform/ids.js';
import type { MailConfig } from '../../platform/mail/mail-config.js';
import { startSmtpListener, type SmtpListener } from '../../platform/mail/smtp-listener.js';
import { storeInboundMail } from './inbound-store.service.js';
import { mailboxRouter } from './mailboxes.service.js';

export interface SmtpIntakeDeps {
  db: AnyDb;
  clock: Clock;
  events: EventKick;
  log?: { error(obj: unknown, msg?: string): void } | undefined;
}

export type SmtpIntakeOptions = Pick<MailConfig, 'smtpHost' | 'smtpPort' | 'maxMailBytes' | 'tls' | 'hostname'>;

/**
 * Starts the inbound SMTP listener wired to mail storage: recipients must be an active mailbox
 * (or a `+tag` reply address of one), and each message is acknowledged only once stored.
 * Exported for `serve()` and for benchmarks, which start it on a port of their choosing.
 */
export async function startInboundSmtp(deps: SmtpIntakeDeps, opts: SmtpIntakeOptions): Promise<SmtpListener> {
  const ctx = (): Ctx => ({ actor: systemActor('smtp'), requestId: uuidv7(), now: deps.clock.now(), db: deps.db, events: deps.events });
  const routeOf = mailboxRouter(deps.db);
  const tls = opts.tls ? { key: readFileSync(opts.tls.keyFile), cert: readFileSync(opts.tls.certFile) } : null;
  return startSmtpListener({
    host: opts.smtpHost,
    port: opts.smtpPort,
    maxBytes: opts.maxMailBytes,
    hostname: opts.hostname,
    tls,
    acceptRecipient: routeOf,
    deliver: async ({ raw, envelope, routes }) => {
      const mailboxId = routes[0] ?? null;
      const stored = await storeInboundMail(ctx(), { raw, source: 'smtp', mailboxId, envelope });
      return { id: stored.id };
    },
    onError: (err, phase) => deps.log?.error({ err, phase }, 'inbound SMTP failure (answered 451)'),
  });
}
