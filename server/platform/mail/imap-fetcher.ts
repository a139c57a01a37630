import { ImapFlow } from 'imapflow';

export interface ImapAccount {
  host: string;
  port: number;
  /** Implicit TLS (IMAPS); false connects in plain text without STARTTLS. */
  secure: boolean;
  /** Verify the server certificate. Off only by an admin's explicit choice. */
  tlsVerify: boolean;
  user: string;
  password: string;
  folder: string;
}

/** Where the last poll stopped: a UID is only meaningful within its UIDVALIDITY. */
export interface ImapCursor {
  uidValidity: number | null;
  lastUid: number | null;
}

export interface FetchHandlers {
  /** Must resolve only once the message is stored durably: the server copy may be deleted next. */
  store(raw: Buffer, uid: number): Promise<void>;
  /** Called after each message, stored or skipped, so a failure later keeps the progress. */
  advance(cursor: ImapCursor): void;
  skip(uid: number, reason: string): void;
}

export interface FetchOptions {
  maxBytes: number;
  deleteAfterStore: boolean;
  /** At most this many messages per poll; the next poll continues from the cursor. */
  batch: number;
  timeoutMs: number;
}

export interface FetchOutcome {
  cursor: ImapCursor;
  stored: number;
  skipped: number;
  deleted: number;
  /** The server reset the folder's UIDs (UIDVALIDITY changed): everything was looked at again. */
  uidValidityChanged: boolean;
}

/** The server refused the credentials; retrying will not help until an admin fixes them. */
export class ImapAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImapAuthError';
  }
}

interface ImapFlowFailure {
  message?: string;
  code?: string;
  responseText?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
}

/** A readable one-line reason from whatever imapflow or the TLS layer threw. */
export function describeImapError(err: unknown): string {
  const e = (err ?? {}) as ImapFlowFailure;
  const parts = [e.message || String(err)];
  if (e.responseText && !parts[0]!.includes(e.responseText)) parts.push(e.responseText);
  if (e.serverResponseCode && !parts.join(' ').includes(e.serverResponseCode)) parts.push(`[${e.serverResponseCode}]`);
  if (e.code && !parts.join(' ').includes(e.code)) parts.push(`(${e.code})`);
  return parts.join(': ').replace(/\s+/g, ' ').slice(0, 1000);
}

const isAuthFailure = (err: unknown): boolean => {
  const e = (err ?? {}) as ImapFlowFailure;
  return e.authenticationFailed === true || e.serverResponseCode === 'AUTHENTICATIONFAILED';
};

function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`the IMAP poll took longer than ${Math.round(ms / 1000)} s and was stopped`));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Fetches the messages after `cursor` from one IMAP folder, oldest first, hands each to
 * `store`, then (if asked) deletes the stored ones from the server. Knows nothing of tickets.
 */
export async function fetchNewMail(account: ImapAccount, cursor: ImapCursor, h: FetchHandlers, opts: FetchOptions): Promise<FetchOutcome> {
  const client = new ImapFlow({
    host: account.host,
    port: account.port,
    secure: account.secure,
    doSTARTTLS: account.secure ? undefined : false,
    servername: account.host,
    auth: { user: account.user, pass: account.password },
    tls: { rejectUnauthorized: account.tlsVerify },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  // imapflow also reports socket errors as events; the awaited command rejects with them.
  client.on('error', () => undefined);
  const work = async (): Promise<FetchOutcome> => {
    try {
      await client.connect();
    } catch (err) {
      if (isAuthFailure(err)) throw new ImapAuthError(describeImapError(err));
      throw err;
    }
    const box = await client.mailboxOpen(account.folder);
    const uidValidity = Number(box.uidValidity);
    const changed = cursor.uidValidity !== null && cursor.uidValidity !== uidValidity;
    const after = changed || cursor.uidValidity === null ? 0 : (cursor.lastUid ?? 0);
    const outcome: FetchOutcome = { cursor: { uidValidity, lastUid: after }, stored: 0, skipped: 0, deleted: 0, uidValidityChanged: changed };
    h.advance(outcome.cursor);
    if (box.exists === 0) return outcome;

    // `n:*` always names the newest message, even below n: keep only UIDs past the cursor.
    const heads = (await client.fetchAll(`${after + 1}:*`, { uid: true, size: true }, { uid: true }))
      .filter((m) => m.uid > after)
      .sort((a, b) => a.uid - b.uid)
      .slice(0, opts.batch);
    const storedUids: number[] = [];
    for (const head of heads) {
      if ((head.size ?? 0) > opts.maxBytes) {
        h.skip(head.uid, `message of ${head.size} bytes is over the ${opts.maxBytes}-byte limit; left on the server`);
        outcome.skipped += 1;
      } else {
        const msg = await client.fetchOne(String(head.uid), { uid: true, source: true }, { uid: true });
        if (msg && msg.source && msg.source.length > 0) {
          await h.store(msg.source, head.uid);
          storedUids.push(head.uid);
          outcome.stored += 1;
        } else {
          h.skip(head.uid, 'the server returned no content');
          outcome.skipped += 1;
        }
      }
      outcome.cursor = { uidValidity, lastUid: head.uid };
      h.advance(outcome.cursor);
    }
    if (opts.deleteAfterStore && storedUids.length > 0) {
      await client.messageDelete(storedUids.join(','), { uid: true });
      outcome.deleted = storedUids.length;
    }
    return outcome;
  };
  try {
    return await withDeadline(work(), opts.timeoutMs, () => client.close());
  } finally {
    if (client.usable) await client.logout().catch(() => undefined);
    client.close();
  }
}
