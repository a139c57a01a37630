import type { Readable } from 'node:stream';
import type { Ctx } from '../../platform/context.js';
import { BlobTooLargeError, type BlobStore } from '../../platform/blobs/blob-store.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError, forbidden, invalidField, notFound, withinItem } from '../../platform/errors.js';
import { emit, emitAll } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { indexNewSearchDocs } from '../../platform/search/search.repository.js';
import { listActiveStaffForMentions } from '../auth/index.js';
import { appendTicketEvents, eventsFrom, getTicket, getTicketOf, mergedAway, recordMessageOnTicket, ticketClosed, type Ticket, type TicketStatus } from '../tickets/index.js';
import { normaliseBody, parseMentions } from './body-format.js';
import {
  attachToMessage,
  attachmentsOfMessages,
  findAttachmentsByIds,
  findMessagesByIds,
  insertAttachment,
  insertMessages,
  listMessagesOf,
  listMessagesPageOf,
  type Attachment,
  type Message,
  type MessageKind,
} from './messages.repository.js';

export interface NewMessage {
  kind: MessageKind;
  body: string;
  format: 'text' | 'html';
  attachmentIds: string[];
  setStatus?: TicketStatus | undefined;
  /** Imports keep historical timestamps. */
  createdAt?: string | undefined;
  /** The contact who wrote a customer message (defaults to the ticket's requester). */
  authorContactId?: string | undefined;
  /**
   * The first message, written as part of creating the ticket: the ticket already counts it
   * (see NewTicket.openingMessage) and keeps the status the creator chose.
   */
  opening?: boolean | undefined;
  /** Counted on the ticket without moving its status (automatic replies such as out-of-office notices). */
  keepStatus?: boolean | undefined;
  /**
   * The body already through normaliseBody: an import formats its bodies before its transaction,
   * so a batch of large HTML does not hold the write lock while it is parsed.
   */
  normalised?: { html: string; text: string } | undefined;
}

async function claimAttachments(ctx: Ctx, ids: string[]): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  const found = await findAttachmentsByIds(ctx.db, ids);
  const uploader = ctx.actor.type === 'system' ? null : ctx.actor.id;
  for (const id of new Set(ids)) {
    const a = found.find((f) => f.id === id);
    if (!a || a.messageId !== null || (uploader !== null && a.uploaderUserId !== uploader)) {
      throw invalidField('attachmentIds', `attachment ${id} is unknown, already used, or not yours`);
    }
  }
  return found;
}

/**
 * Adds a message to a ticket inside the caller's transaction: stores it, claims its uploads,
 * indexes it for search, updates the ticket, and records the event.
 */
export async function addMessageToTicket(ctx: Ctx, ticket: Ticket, input: NewMessage): Promise<{ message: MessageWithAttachments; ticket: Ticket }> {
  const [message] = await storeMessages(ctx, [{ ticket, input }]);
  const at = message!.createdAt;
  const updated = input.opening ? ticket : await recordMessageOnTicket(ctx, ticket, { kind: input.kind, at, setStatus: input.keepStatus ? ticket.status : input.setStatus });
  await emit(ctx, 'message.created', messageCreated(message!, ticket.number, input.opening === true));
  return { message: message!, ticket: updated };
}

/**
 * The opening messages of a batch of new tickets (each ticket counts its message already; see
 * NewTicket.openingMessage), written set-wise as the tickets are. `itemPath` names an item in
 * errors; `checked` is what checkNewMessages answered for these messages, if the caller ran it.
 */
export async function addOpeningMessages(
  ctx: Ctx,
  items: readonly { ticket: Ticket; input: NewMessage }[],
  opts: { itemPath?: (i: number) => string; checked?: readonly CheckedMessage[] } = {},
): Promise<MessageWithAttachments[]> {
  const messages = await storeMessages(ctx, items, opts);
  await emitAll(ctx, 'message.created', messages.map((m, i) => messageCreated(m, items[i]!.ticket.number, true)));
  return messages;
}

/** `opening`: the message a ticket was made with (it is the news of a new ticket, not a reply on one). */
const messageCreated = (m: Message, number: number, opening: boolean) => ({ ticketId: m.ticketId, number, messageId: m.id, kind: m.kind, mentions: m.mentions, at: m.createdAt, ...(opening ? { opening } : {}) });

/** A new message's body as stored and the uploads it may take. */
export interface CheckedMessage {
  html: string;
  text: string;
  attachments: Attachment[];
}

/**
 * What can refuse a new message, checked before anything is written: a body empty once
 * formatted, an upload that is unknown, used or someone else's, or one upload named by two
 * messages of the same request (each upload belongs to one message). A batch of new tickets runs
 * this before it draws their numbers: PostgreSQL never hands a drawn number out again, so a batch
 * refused for its last message left a gap in the numbering as long as the batch.
 */
export async function checkNewMessages(ctx: Ctx, inputs: readonly NewMessage[], opts: { itemPath?: (i: number) => string } = {}): Promise<CheckedMessage[]> {
  const namedBy = new Map<string, number>();
  const out: CheckedMessage[] = [];
  for (const [i, input] of inputs.entries()) {
    try {
      const { html, text } = input.normalised ?? normaliseBody(input.body, input.format);
      if (!text && input.attachmentIds.length === 0) throw invalidField('body', 'is empty after formatting');
      for (const id of new Set(input.attachmentIds)) {
        const first = namedBy.get(id);
        if (first !== undefined) {
          throw invalidField('attachmentIds', `attachment ${id} is also named by ${opts.itemPath ? opts.itemPath(first) : 'another message'}; an upload belongs to one message`);
        }
        namedBy.set(id, i);
      }
      out.push({ html, text, attachments: await claimAttachments(ctx, input.attachmentIds) });
    } catch (err) {
      throw withinItem(err, opts.itemPath?.(i));
    }
  }
  return out;
}

/** Stores messages with their uploads, search rows and events; the caller counts them on their tickets and emits. */
async function storeMessages(
  ctx: Ctx,
  items: readonly { ticket: Ticket; input: NewMessage }[],
  opts: { itemPath?: (i: number) => string; checked?: readonly CheckedMessage[] } = {},
): Promise<MessageWithAttachments[]> {
  const checked = opts.checked ?? (await checkNewMessages(ctx, items.map((it) => it.input), opts));
  const staff = items.some((it) => it.input.kind === 'note') ? await listActiveStaffForMentions(ctx.db) : [];
  const out: MessageWithAttachments[] = items.map(({ ticket, input }, i) => {
    const { html, text, attachments } = checked[i]!;
    const at = input.createdAt ?? ctx.now.toISOString();
    const staffAuthor = ctx.actor.type === 'user' && input.kind !== 'customer';
    const id = uuidv7(Date.parse(at));
    return {
      id,
      ticketId: ticket.id,
      kind: input.kind,
      authorType: staffAuthor ? 'user' : input.kind === 'customer' ? 'contact' : 'system',
      authorUserId: staffAuthor && ctx.actor.type === 'user' ? ctx.actor.id : null,
      authorContactId: input.kind === 'customer' ? (input.authorContactId ?? (ctx.actor.type === 'customer' ? ctx.actor.contactId : null) ?? ticket.requesterId) : null,
      bodyHtml: html,
      bodyText: text,
      mentions: input.kind === 'note' ? parseMentions(text, staff) : [],
      originalTicketId: null,
      createdAt: at,
      attachments: attachments.map((a) => ({ ...a, messageId: id })),
    };
  });
  await insertMessages(ctx.db, out.map(({ attachments: _a, ...m }) => m));
  for (const [i, m] of out.entries()) {
    // Checked again as they are taken: a message posted at the same moment may have claimed one since claimAttachments read it.
    if (m.attachments.length && (await attachToMessage(ctx.db, m.attachments.map((a) => a.id), m.id)) < m.attachments.length) {
      const err = invalidField('attachmentIds', 'an attachment was used by another message meanwhile; upload it again');
      throw withinItem(err, opts.itemPath?.(i));
    }
  }
  await indexNewSearchDocs(ctx.db, out.map((m) => ({ docKey: `m:${m.id}`, ticketId: m.ticketId, text: m.bodyText })));
  await appendTicketEvents(ctx.db, out.flatMap((m) => eventsFrom(ctx, m.ticketId, [{ action: 'message_added', from: null, to: { messageId: m.id, kind: m.kind } }], {}, m.createdAt)));
  return out;
}

/** Posts a reply or note (staff) or a customer message (customers, on their own tickets); a closed ticket takes only notes. */
export async function postMessage(
  ctx: Ctx,
  number: number,
  input: { kind: 'reply' | 'note' | 'customer'; body: string; format: 'text' | 'html'; attachmentIds: string[]; setStatus?: TicketStatus | undefined },
): Promise<{ message: MessageWithAttachments; ticket: Ticket }> {
  let kind = input.kind;
  if (ctx.actor.type === 'customer') {
    if (kind === 'note') throw forbidden('Customers cannot write internal notes');
    if (input.setStatus && input.setStatus !== 'closed') throw forbidden('Customers can only close their tickets');
    kind = 'customer';
  } else if (kind === 'customer' && ctx.actor.type === 'user') {
    throw invalidField('kind', 'agents post "reply" or "note"; customer messages arrive through channels');
  }
  if (kind === 'note' && input.setStatus) throw invalidField('setStatus', 'a note does not change the status; send a reply or update the ticket');
  return inTransaction(ctx, async (tx) => {
    const ticket = await getTicket(tx, number, { lock: true });
    if (ticket.mergedIntoId) throw await mergedAway(tx, ticket);
    // Closed is final for the conversation; a note only records what happened after.
    if (ticket.status === 'closed' && kind !== 'note') throw ticketClosed([number]);
    return addMessageToTicket(tx, ticket, { ...input, kind });
  });
}

// Lives in the tickets module, whose time entries refuse a merged ticket in the same words.
export { mergedAway };

export interface MessageWithAttachments extends Message {
  attachments: Attachment[];
}

export async function listMessages(ctx: Ctx, number: number): Promise<MessageWithAttachments[]> {
  const ticket = await getTicket(ctx, number);
  const messages = await listMessagesOf(ctx.db, ticket.id, { includeNotes: ctx.actor.type !== 'customer' });
  const attachments = await attachmentsOfMessages(ctx.db, messages.map((m) => m.id));
  return messages.map((m) => ({ ...m, attachments: attachments.get(m.id) ?? [] }));
}

/** Bodies (HTML and text, in characters) one page carries at most, beyond its first message. */
export const MESSAGE_PAGE_CHARS = 4_000_000;
/** Rows read at a time while a page fills, so a run of 1 MB bodies past the budget is never read. */
const PAGE_CHUNK = 20;

/**
 * One page of the conversation: at most `limit` messages, and fewer when their bodies pass
 * MESSAGE_PAGE_CHARS (500 imported 1 MB HTML messages answered 800 MB in one response, and a
 * merge can gather far more). `more` says whether the page stopped before the end.
 */
export async function listMessagesPage(
  ctx: Ctx,
  number: number,
  opts: { after?: { at: string; id: string } | undefined; limit: number },
): Promise<{ messages: MessageWithAttachments[]; more: boolean }> {
  const ticket = await getTicket(ctx, number);
  const includeNotes = ctx.actor.type !== 'customer';
  const page: Message[] = [];
  let chars = 0;
  let after = opts.after;
  let more = false;
  fill: for (;;) {
    const want = Math.min(PAGE_CHUNK, opts.limit - page.length);
    const rows = await listMessagesPageOf(ctx.db, ticket.id, { includeNotes, after, limit: want + 1 });
    for (const m of rows.slice(0, want)) {
      const size = m.bodyHtml.length + m.bodyText.length;
      if (page.length > 0 && chars + size > MESSAGE_PAGE_CHARS) {
        more = true;
        break fill;
      }
      page.push(m);
      chars += size;
    }
    if (rows.length <= want) break;
    if (page.length >= opts.limit) {
      more = true;
      break;
    }
    const last = page[page.length - 1]!;
    after = { at: last.createdAt, id: last.id };
  }
  const attachments = await attachmentsOfMessages(ctx.db, page.map((m) => m.id));
  return { messages: page.map((m) => ({ ...m, attachments: attachments.get(m.id) ?? [] })), more };
}

export async function uploadAttachment(
  ctx: Ctx,
  blobs: BlobStore,
  file: { stream: Readable; filename: string; contentType: string; maxBytes: number },
): Promise<Attachment> {
  if (ctx.actor.type === 'system') throw forbidden('Uploads need a user');
  let stored;
  try {
    stored = await blobs.put(file.stream, file.maxBytes);
  } catch (err) {
    if (err instanceof BlobTooLargeError) throw new AppError('payload_too_large', `Attachments may be at most ${Math.round(file.maxBytes / 1024 / 1024)} MB`);
    throw err;
  }
  const attachment: Attachment = {
    id: uuidv7(ctx.now.getTime()),
    messageId: null,
    uploaderUserId: ctx.actor.id,
    // The HTTP layer refuses control characters; any other caller's are replaced, as NUL cannot reach PostgreSQL.
    filename: file.filename.replace(/[\\/"\x00-\x1f\x7f]/g, '_').slice(0, 255) || 'attachment',
    contentType: /^[\w.+-]+\/[\w.+-]+$/.test(file.contentType) ? file.contentType : 'application/octet-stream',
    size: stored.size,
    sha256: stored.sha256,
    createdAt: ctx.now.toISOString(),
  };
  await insertAttachment(ctx.db, attachment);
  return attachment;
}

/**
 * Stores a file that arrived through a channel (an email attachment) on behalf of the system:
 * no uploading user, so only a system actor's message can claim it. Users upload with
 * `uploadAttachment`, which refuses system actors.
 */
export async function storeChannelAttachment(
  ctx: Ctx,
  blobs: BlobStore,
  file: { content: Buffer; filename: string; contentType: string; maxBytes: number },
): Promise<Attachment> {
  if (ctx.actor.type !== 'system') throw forbidden('Only channels store attachments this way');
  let stored;
  try {
    stored = await blobs.put(file.content, file.maxBytes);
  } catch (err) {
    if (err instanceof BlobTooLargeError) throw new AppError('payload_too_large', `Attachments may be at most ${Math.round(file.maxBytes / 1024 / 1024)} MB`);
    throw err;
  }
  const attachment: Attachment = {
    id: uuidv7(ctx.now.getTime()),
    messageId: null,
    uploaderUserId: null,
    filename: file.filename.replace(/[\\/\r\n"\x00-\x1f]/g, '_').slice(0, 255) || 'attachment',
    contentType: /^[\w.+-]+\/[\w.+-]+$/.test(file.contentType) ? file.contentType : 'application/octet-stream',
    size: stored.size,
    sha256: stored.sha256,
    createdAt: ctx.now.toISOString(),
  };
  await insertAttachment(ctx.db, attachment);
  return attachment;
}

/** An attachment the actor may download: its ticket is visible, and customers never get a note's files. */
export async function findDownloadableAttachment(ctx: Ctx, id: string): Promise<Attachment> {
  const [a] = await findAttachmentsByIds(ctx.db, [id]);
  if (!a) throw notFound('Attachment');
  if (!a.messageId) {
    if (ctx.actor.type === 'system' || a.uploaderUserId === ctx.actor.id) return a;
    throw notFound('Attachment');
  }
  const [message] = await findMessagesByIds(ctx.db, [a.messageId]);
  if (!message) throw notFound('Attachment');
  if (message.kind === 'note' && ctx.actor.type === 'customer') throw notFound('Attachment');
  await getTicketOf(ctx, message.ticketId, 'Attachment');
  return a;
}
