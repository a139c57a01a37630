import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed reply addresses: `support+<number>-<sig>@acme.test`, where sig is the start of
 * HMAC-SHA256(installation secret, "reply:<number>") in lower-case hex (80 bits; local parts are
 * often lower-cased in transit). Without the secret nobody can make a token for another ticket.
 */
const SIG_CHARS = 20;

const signature = (secret: string, number: number): string => createHmac('sha256', secret).update(`reply:${number}`).digest('hex').slice(0, SIG_CHARS);

export function replyToken(secret: string, ticketNumber: number): string {
  return `${ticketNumber}-${signature(secret, ticketNumber)}`;
}

/** The reply address of a ticket on a mailbox: `local+token@domain`. */
export function replyAddress(secret: string, mailboxAddress: string, ticketNumber: number): string {
  const [local, domain] = mailboxAddress.split('@');
  return `${local}+${replyToken(secret, ticketNumber)}@${domain}`;
}

/** The ticket number a token was made for, or null for anything unsigned, forged or malformed. */
export function verifyReplyToken(secret: string, token: string): number | null {
  const m = /^(\d{1,15})-([0-9a-f]+)$/i.exec(token.trim());
  if (!m) return null;
  const number = Number(m[1]);
  if (!Number.isSafeInteger(number) || number <= 0) return null;
  const given = Buffer.from(m[2]!.toLowerCase());
  const expected = Buffer.from(signature(secret, number));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return number;
}

/** The `+tag` of an address (`support+tag@x` -> `tag`) and its base address, lower-cased. */
export function splitPlusAddress(address: string): { base: string; tag: string | null } {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return { base: lower, tag: null };
  const local = lower.slice(0, at);
  const plus = local.indexOf('+');
  if (plus < 0) return { base: lower, tag: null };
  return { base: `${local.slice(0, plus)}${lower.slice(at)}`, tag: local.slice(plus + 1) || null };
}
