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

export function htmlToText(html: string): string {
  return convert(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { hideLinkHrefIfSameAsText: true } }] }).trim();
}

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
    const html = sanitizeMessageHtml(body);
    return { html, text: htmlToText(html) };
  }
  const text = body.replace(/\r\n?/g, '\n').trim();
  return { html: textToHtml(text), text };
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
