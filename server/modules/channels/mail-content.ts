import type { Ctx } from '../../platform/context.js';
import type { BlobStore } from '../../platform/blobs/blob-store.js';
import type { ParsedMail } from '../../platform/mail/mime-parser.js';
import { trimQuotedHtml, trimQuotedText } from '../../platform/mail/quote-trimmer.js';
import { storeChannelAttachment } from '../messages/index.js';

/** What the mail pipeline needs beyond the database: where files go and how big they may be. */
export interface ChannelRuntime {
  blobs: BlobStore;
  /** Largest single attachment kept. */
  maxAttachmentBytes: number;
  /** All attachments of one message together. */
  maxMailAttachmentsBytes: number;
}

const MAX_FILES = 100;
// Past this the HTML is not worth rendering; the text part (or its conversion) is used instead.
const MAX_HTML_CHARS = 2_000_000;
const MAX_TEXT_CHARS = 1_000_000;

export interface MessageContent {
  body: string;
  format: 'text' | 'html';
  attachmentIds: string[];
  /** Quoted history was cut from the displayed body (the full text stays in the raw mail). */
  trimmed: boolean;
  /** Files not kept, each with the reason, also noted at the end of the body. */
  dropped: string[];
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

async function storeAttachments(ctx: Ctx, rt: ChannelRuntime, parsed: ParsedMail): Promise<{ ids: string[]; byContentId: Map<string, string>; dropped: string[] }> {
  const ids: string[] = [];
  const byContentId = new Map<string, string>();
  const dropped: string[] = [];
  let total = 0;
  for (const a of parsed.attachments) {
    const size = a.content.length;
    if (ids.length >= MAX_FILES) {
      dropped.push(`${a.filename} was not kept: a message may carry at most ${MAX_FILES} files.`);
      continue;
    }
    if (size > rt.maxAttachmentBytes) {
      dropped.push(`${a.filename} (${mb(size)}) was not kept: files may be at most ${mb(rt.maxAttachmentBytes)}.`);
      continue;
    }
    if (total + size > rt.maxMailAttachmentsBytes) {
      dropped.push(`${a.filename} (${mb(size)}) was not kept: the files of one message may be at most ${mb(rt.maxMailAttachmentsBytes)} together.`);
      continue;
    }
    const stored = await storeChannelAttachment(ctx, rt.blobs, { content: a.content, filename: a.filename, contentType: a.contentType, maxBytes: rt.maxAttachmentBytes });
    total += size;
    ids.push(stored.id);
    if (a.contentId) byContentId.set(a.contentId.toLowerCase(), stored.id);
  }
  return { ids, byContentId, dropped };
}

/** Inline images point at their stored attachment instead of a cid: the agent's browser can load them. */
function resolveCids(html: string, byContentId: Map<string, string>): string {
  return html.replace(/(\ssrc\s*=\s*["']?)cid:([^"'\s>]+)/gi, (whole, prefix: string, cid: string) => {
    const id = byContentId.get(decodeURIComponent(cid).toLowerCase());
    return id ? `${prefix}/api/v1/attachments/${id}` : whole;
  });
}

/**
 * The body a ticket message shows for an inbound mail: HTML when there is some (the messages
 * module sanitises it), else text; quoted history trimmed; files stored within the limits, and
 * any file left out named at the end so the agent knows to ask for it. `leaveFilesOut` names
 * every file with that reason instead of storing it.
 */
export async function buildMessageContent(ctx: Ctx, rt: ChannelRuntime, parsed: ParsedMail, opts: { leaveFilesOut?: string } = {}): Promise<MessageContent> {
  const reason = opts.leaveFilesOut;
  const files = reason ? { ids: [], byContentId: new Map<string, string>(), dropped: parsed.attachments.map((a) => `${a.filename} was not kept: ${reason}`) } : await storeAttachments(ctx, rt, parsed);
  const visible = (h: string) => /[^\s]/.test(h.replace(/<(style|script|head)[\s\S]*?<\/\1>/gi, '').replace(/<[^>]*>|&nbsp;/gi, ''));
  const usable = parsed.html && parsed.html.length <= MAX_HTML_CHARS && (visible(parsed.html) || files.ids.length > 0);
  const html = usable ? parsed.html! : null;
  if (html) {
    const t = trimQuotedHtml(html);
    const notes = files.dropped.map((d) => `<p><em>${escapeHtml(d)}</em></p>`).join('');
    return { body: resolveCids(t.value, files.byContentId) + notes, format: 'html', attachmentIds: files.ids, trimmed: t.trimmed, dropped: files.dropped };
  }
  const text = (parsed.text ?? '').slice(0, MAX_TEXT_CHARS);
  const t = trimQuotedText(text);
  let body = t.value.trim();
  if (files.dropped.length) body = `${body}\n\n${files.dropped.map((d) => `[${d}]`).join('\n')}`.trim();
  if (!body && files.ids.length === 0) body = '(no text)';
  return { body, format: 'text', attachmentIds: files.ids, trimmed: t.trimmed, dropped: files.dropped };
}
