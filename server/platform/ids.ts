import { randomBytes, randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;
// Random bytes drawn in bulk: one syscall per 512 ids instead of one per id.
const pool = Buffer.alloc(8 * 512);
let poolOffset = pool.length;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits. Within one millisecond a
 * 12-bit counter in rand_a keeps ids made by this process strictly increasing, so they sort
 * by creation and index well.
 *
 * `nowMs` (the caller's clock) never takes the generator past this machine's own clock: one id
 * minted for a future time (a record dated 2099) would otherwise stamp every later id of the
 * process with that time, and after a restart new ids would sort before them. A time behind
 * the generator's (an imported record's date, a request that started earlier) takes the next
 * place in its sequence, so ids stay strictly increasing whatever clock the caller holds.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const at = Math.min(nowMs, Date.now());
  if (at > lastMs) {
    lastMs = at;
    seq = 0;
  } else {
    seq += 1;
    if (seq > 0xfff) {
      lastMs += 1;
      seq = 0;
    }
  }
  const ms = lastMs;
  const bytes = Buffer.alloc(16);
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(bytes, 8, poolOffset, poolOffset + 8);
  poolOffset += 8;
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | ((seq >> 8) & 0x0f);
  bytes[7] = seq & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A URL-safe random secret (tokens, passwords). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
