/**
 * Quoted-reply trimming for display: most people answer above the quoted conversation, which
 * the ticket already shows, so only the new part is displayed. The full text is never thrown
 * away by callers (the raw message is kept); these functions only find where the quote starts.
 * When unsure (a forward, an answer written between quoted lines, nothing left) they keep all.
 */

/** Outbound mail puts this line above the quoted history; everything below it is history. */
export const REPLY_ABOVE_MARKER = '##- Please type your reply above this line -##';

const ATTRIBUTION = [
  /^On\b.{0,400}\bwrote:\s*$/i,
  /^Am\b.{0,400}\bschrieb\b.{0,200}:\s*$/i,
  /^Le\b.{0,400}\ba écrit\s*:\s*$/i,
  /^El\b.{0,400}\bescribió:\s*$/i,
  /^Il\b.{0,400}\bha scritto:\s*$/i,
  /^Op\b.{0,400}\bschreef\b.{0,200}:\s*$/i,
  /^Em\b.{0,400}\bescreveu:\s*$/i,
];
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht)\s*-{2,}\s*$/i;
const FORWARD = /^\s*(-{2,}\s*(Forwarded message|Forwarded Message|Weitergeleitete Nachricht|Message transféré)\s*-{2,}|Begin forwarded message:)\s*$/i;
const HEADER_FROM = /^\s*\*?(From|Von|De|Van|Da)\s*:\*?\s+\S/i;
const HEADER_NEXT = /^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|To|An|À|Para|A|Aan|Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp)\s*:\*?/i;

export interface Trimmed<T> {
  value: T;
  trimmed: boolean;
}

function isOutlookHeader(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i]!)) return false;
  let seen = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (HEADER_NEXT.test(lines[j]!)) seen += 1;
  return seen >= 2;
}

/** Index of the line where the quoted history begins, or -1. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FORWARD.test(line)) return -1;
    if (line.includes(REPLY_ABOVE_MARKER)) return i;
    if (ORIGINAL_MESSAGE.test(line)) return i;
    if (/^_{10,}\s*$/.test(line) && i + 1 < lines.length && isOutlookHeader(lines, i + 1)) return i;
    if (isOutlookHeader(lines, i) && i > 0) return i;
    // Gmail wraps long attributions over two lines.
    const joined = i + 1 < lines.length ? `${line} ${lines[i + 1]!.trim()}` : line;
    for (const re of ATTRIBUTION) {
      if (re.test(line)) return answeredAbove(lines, i + 1) ? i : -1;
      if (re.test(joined) && !re.test(lines[i + 1] ?? '')) return answeredAbove(lines, i + 2) ? i : -1;
    }
  }
  // A trailing block of "> " lines with no attribution.
  let j = lines.length - 1;
  while (j >= 0 && lines[j]!.trim() === '') j--;
  let start = -1;
  while (j >= 0 && (lines[j]!.startsWith('>') || lines[j]!.trim() === '')) {
    if (lines[j]!.startsWith('>')) start = j;
    j--;
  }
  return start;
}

/** After an attribution line, only quoted lines may follow; otherwise the answer is interleaved. */
function answeredAbove(lines: string[], from: number): boolean {
  for (let k = from; k < lines.length; k++) {
    const l = lines[k]!.trim();
    if (l === '' || l.startsWith('>')) continue;
    return false;
  }
  return true;
}

export function trimQuotedText(text: string): Trimmed<string> {
  const normalised = text.replace(/\r\n?/g, '\n');
  const lines = normalised.split('\n');
  const start = quoteStart(lines);
  if (start <= 0) return { value: normalised, trimmed: false };
  const kept = lines.slice(0, start).join('\n').replace(/\s+$/, '');
  if (!kept.trim()) return { value: normalised, trimmed: false };
  return { value: kept, trimmed: true };
}

// Containers mail clients wrap quoted history in; everything from the first one on is history.
const HTML_QUOTE_MARKERS = [
  /<div[^>]*\bid\s*=\s*["']?appendonsend\b/i,
  /<div[^>]*\bid\s*=\s*["']?divRplyFwdMsg\b/i,
  /<div[^>]*\bid\s*=\s*["']?mail-editor-reference-message-container\b/i,
  /<div[^>]*\bclass\s*=\s*["']?[^"'>]*\bgmail_quote\b/i,
  /<div[^>]*\bclass\s*=\s*["']?[^"'>]*\bmoz-cite-prefix\b/i,
  /<div[^>]*\bclass\s*=\s*["']?[^"'>]*\byahoo_quoted\b/i,
  /<div[^>]*\bclass\s*=\s*["']?[^"'>]*\bOutlookMessageHeader\b/i,
  /<blockquote[^>]*\btype\s*=\s*["']?cite\b/i,
  /<hr[^>]*\bid\s*=\s*["']?stopSpelling\b/i,
  /<div[^>]*border-top\s*:\s*solid[^>]*>\s*<p[^>]*>\s*<b>\s*(From|Von|De)\s*:/i,
];

const FORWARD_HTML = /(-{2,}\s*(Forwarded message|Forwarded Message|Weitergeleitete Nachricht)\s*-{2,}|Begin forwarded message:)/i;

const visibleText = (html: string): string =>
  html
    .replace(/<(style|script|head)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Cuts HTML at the first quoted-history container. The result may leave tags open; it is meant
 * to go through the HTML sanitiser, which closes them.
 */
export function trimQuotedHtml(html: string): Trimmed<string> {
  let cut = -1;
  const marker = html.indexOf(REPLY_ABOVE_MARKER);
  if (marker >= 0) cut = html.lastIndexOf('<', marker) >= 0 ? html.lastIndexOf('<', marker) : marker;
  for (const re of HTML_QUOTE_MARKERS) {
    const m = re.exec(html);
    if (m && (cut < 0 || m.index < cut)) cut = m.index;
  }
  if (cut <= 0) return { value: html, trimmed: false };
  const head = html.slice(0, cut);
  const forward = FORWARD_HTML.exec(html);
  if (forward && forward.index < cut) return { value: html, trimmed: false };
  if (!visibleText(head)) return { value: html, trimmed: false };
  return { value: head, trimmed: true };
}
