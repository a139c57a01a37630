import { createHash } from 'node:crypto';
import { decodeWords } from 'postal-mime';

/** Header names are lower-cased; values unfolded but otherwise as sent. */
export interface RawHeader {
  key: string;
  value: string;
}

const MAX_HEADER_BYTES = 512 * 1024;

/**
 * The top-level header block of a raw message, read without parsing the MIME body: enough to
 * store and deduplicate a message cheaply before acknowledging it.
 */
export function readTopHeaders(raw: Uint8Array): RawHeader[] {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  let end = limit;
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    // A blank line ends the headers: "\n\n" or "\n\r\n".
    if (raw[i + 1] === 0x0a || (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a)) {
      end = i;
      break;
    }
  }
  // RFC 5322 allows no NUL in a header, and PostgreSQL cannot store one: a broken sender's go.
  const text = new TextDecoder('utf-8').decode(raw.subarray(0, end)).replace(/\u0000/g, '');
  return parseHeaderText(text);
}

export function parseHeaderText(text: string): RawHeader[] {
  const out: RawHeader[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1]!;
      last.value = last.value ? `${last.value} ${line.trim()}` : line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(key)) continue;
    out.push({ key, value: line.slice(colon + 1).trim() });
  }
  return out;
}

export const headerValue = (headers: readonly RawHeader[], key: string): string | undefined => headers.find((h) => h.key === key)?.value;

/** Every `<id>` in a Message-ID, In-Reply-To or References value, in order, without duplicates. */
export function extractMessageIds(raw: string | undefined | null): string[] {
  const value = raw?.replace(/\u0000/g, '');
  if (!value) return [];
  const found = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => `<${m[1]}>`);
  if (found.length === 0) {
    // Some clients send ids without brackets; accept one bare id@host token.
    const bare = /^\s*([^\s<>()"]+@[^\s<>()"]+)\s*$/.exec(value);
    if (bare) found.push(`<${bare[1]}>`);
  }
  return [...new Set(found.map((id) => id.slice(0, 998)))];
}

/** The message's own Message-ID, or null when it has none usable. */
export function messageIdOf(headers: readonly RawHeader[]): string | null {
  return extractMessageIds(headerValue(headers, 'message-id'))[0] ?? null;
}

/** A stable id for a message without one: the same bytes always get the same id. */
export function stableMessageId(raw: Uint8Array): string {
  return `<${createHash('sha256').update(raw).digest('hex')}@tessera.local>`;
}

// windows-1252 characters at 0x80-0x9F. Node 20's TextDecoder decodes the windows-1252 label
// as ISO-8859-1, leaving C1 control characters where quotes, dashes and the euro sign were.
// Real text never contains C1 controls, so mapping them back is safe for every charset.
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/**
 * Decoded mail text made storable: C1 controls mapped back to windows-1252, and NUL (which a
 * broken sender can put in any part, and PostgreSQL refuses to store) shown as U+FFFD, as
 * browsers do, so the message is kept rather than quarantined.
 */
export const repairText = (s: string): string => s.replace(/[\u0000\u0080-\u009f]/g, (c) => (c === '\u0000' ? '\ufffd' : CP1252_C1[c.charCodeAt(0) - 0x80]!));

/** Decodes RFC 2047 encoded words for display (subjects, names). */
export function decodeHeaderWords(value: string | undefined): string {
  if (!value) return '';
  try {
    return repairText(decodeWords(value)).replace(/\s+/g, ' ').trim();
  } catch {
    return value.trim();
  }
}

/** The bare address of the first mailbox in a From-like header, lower-cased. */
export function firstAddress(value: string | undefined): string | null {
  if (!value) return null;
  const angled = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const bare = angled ? angled[1] : /([^\s<>(),;:"]+@[^\s<>(),;:"]+)/.exec(value)?.[1];
  return bare ? bare.toLowerCase() : null;
}
