import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { convert } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';

/**
 * Allow-list sanitising for message HTML: formatting, links, tables and inline (cid/data)
 * images survive; scripts, styles, event handlers, forms and remote resources do not.
 * Remote images are kept as data-src so the UI can load them only when an agent allows it.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'strike', 'sub', 'sup', 'small',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'hr',
    'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img',
    'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'colgroup', 'col',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'data-src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align'],
    th: ['colspan', 'rowspan', 'align'],
    '*': ['dir', 'lang'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
    img: (tagName, attribs) => {
      const src = attribs.src ?? '';
      if (/^https?:/i.test(src)) {
        const { src: _remote, ...rest } = attribs;
        return { tagName, attribs: { ...rest, 'data-src': src } };
      }
      return { tagName, attribs };
    },
  },
};

export function sanitizeMessageHtml(html: string): string {
  return sanitizeHtml(html, { ...OPTIONS, allowedAttributes: { ...OPTIONS.allowedAttributes, a: ['href', 'title', 'rel', 'target'] } });
}

/**
 * Nesting past this is not formatting but a malformed or hostile body. Both HTML libraries slow
 * down with the square of the open depth (1 MB of unclosed `<b>` took over three minutes) and
 * html-to-text recurses per level (a few thousand levels overflowed the stack, a 500).
 */
export const MAX_HTML_DEPTH = 500;

export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    // Belt and braces with htmlDepthAbove: text deeper than this is cut, never a stack overflow.
    limits: { maxDepth: MAX_HTML_DEPTH },
    selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { hideLinkHrefIfSameAsText: true } }],
  }).trim();
}

// Elements that never hold others, and those a sibling of the same kind closes, as parsers treat them.
const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const SELF_CLOSING_SIBLINGS = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option']);

/**
 * Whether the body nests tags deeper than `limit`, in one linear pass (the parsers themselves are
 * the slow part). An over-estimate on odd markup is safe: such a body is kept as its text.
 * A close tag only looks a few levels up for its opener, so mismatched closes stay linear.
 */
export function htmlDepthAbove(html: string, limit: number): boolean {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*>/g)) {
    const name = m[2]!.toLowerCase();
    if (m[1]) {
      for (let i = stack.length - 1; i >= Math.max(0, stack.length - 8); i--) {
        if (stack[i] === name) {
          stack.length = i;
          break;
        }
      }
      continue;
    }
    if (VOID_TAGS.has(name) || m[0].endsWith('/>')) continue;
    if (SELF_CLOSING_SIBLINGS.has(name) && stack[stack.length - 1] === name) continue;
    stack.push(name);
    if (stack.length > limit) return true;
  }
  return false;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** The words of a body too deeply nested to parse, without its tags (linear: `[^<>]` never backtracks across a tag). */
const strippedText = (html: string): string =>
  html
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, e: string) => ENTITIES[e]!)
    .replace(/[ \t]+/g, ' ')
    .trim();

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n{2,}/)
    .map((para) => `<p>${escapeHtml(para).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** Both renderings of a message body from what the author sent. */
export function normaliseBody(body: string, format: 'text' | 'html'): { html: string; text: string } {
  if (format === 'html') {
    // Kept as plain text rather than refused: the body may be a customer's mail that must not be lost.
    if (htmlDepthAbove(body, MAX_HTML_DEPTH)) return normaliseBody(strippedText(body), 'text');
    const html = sanitizeMessageHtml(body);
    return { html, text: htmlToText(html) };
  }
  const text = body.replace(/\r\n?/g, '\n').trim();
  return { html: textToHtml(text), text };
}

/**
 * Many bodies formatted before a transaction opens (a batch create, an import): sanitising large
 * HTML must not hold SQLite's single writer, and yielding after each HTML or very long body lets
 * other requests run in between (20 HTML messages of 1 MB took 15 s).
 */
export async function normaliseBodies(bodies: readonly { body: string; format: 'text' | 'html' }[]): Promise<{ html: string; text: string }[]> {
  const out: { html: string; text: string }[] = [];
  for (const b of bodies) {
    out.push(normaliseBody(b.body, b.format));
    if (bodies.length > 1 && (b.format === 'html' || b.body.length > 100_000)) await yieldToOthers();
  }
  return out;
}

/** @handles in a note: an email, its local part, or a name without spaces, case-insensitive. */
export function parseMentions(text: string, staff: { id: string; email: string; name: string }[]): string[] {
  const handles = new Set([...text.matchAll(/(?:^|[\s(])@([\p{L}\p{N}._+-]+(?:@[\w.-]+)?)/gu)].map((m) => m[1]!.toLowerCase().replace(/[.]+$/, '')));
  if (handles.size === 0) return [];
  const ids = new Set<string>();
  for (const u of staff) {
    const email = u.email.toLowerCase();
    const keys = [email, email.split('@')[0]!, u.name.toLowerCase().replace(/\s+/g, ''), u.name.toLowerCase().replace(/\s+/g, '.')];
    if (keys.some((k) => handles.has(k))) ids.add(u.id);
  }
  return [...ids];
}
