import { systemActor, type Ctx } from '../../../platform/context.js';
import { emit } from '../../../platform/events/emit.js';
import { contactSearchText, createContact, findOrCreateContactByEmail, type Contact } from '../../contacts/index.js';
import { addMessageToTicket } from '../../messages/index.js';
import { appendTicketEvents, eventsFrom, insertNewTicket } from '../../tickets/index.js';
import { getUsersByIds } from '../../auth/index.js';
import { findMailboxById } from '../mailboxes.repository.js';
import { upsertMailThread } from '../threads.repository.js';
import { appendLine } from './chat-lines.js';
import { listChatMessages, saveChatSession, type ChatMessage, type ChatSession } from './chat.repository.js';

const clock = (iso: string): string => iso.slice(11, 19);

/** The transcript as the customer saw it, one line per message, times in UTC. */
export function transcriptText(session: ChatSession, messages: ChatMessage[]): string {
  const lines = messages.map((m) => {
    const who = m.authorType === 'system' ? '--' : `${m.authorName}:`;
    const file = m.attachment ? ` [file: ${m.attachment.filename}, ${m.attachment.size} bytes]` : '';
    return `[${clock(m.createdAt)}] ${who} ${m.authorType === 'visitor' && m.attachment ? '' : m.body}${file}`.replace(/\s+$/, '');
  });
  return [`Live chat transcript (${session.createdAt.slice(0, 10)}, times UTC)`, '', ...lines].join('\n');
}

function visitorNote(session: ChatSession, agentName: string | null): string {
  const i = session.visitorInfo;
  return [
    'Visitor information',
    `Name: ${session.visitorName ?? '-'}`,
    `Email: ${session.visitorEmail ?? '-'}`,
    `Page: ${i.pageUrl ?? '-'}`,
    `Referrer: ${i.referrer ?? '-'}`,
    `Browser: ${i.browser ?? '-'}`,
    `User agent: ${i.userAgent ?? '-'}`,
    `Locale: ${i.locale ?? '-'}`,
    `IP: ${i.ip ?? '-'}`,
    '',
    'Chat timeline',
    `Started: ${session.createdAt}`,
    `Accepted: ${session.acceptedAt ?? 'never'}${agentName ? ` by ${agentName}` : ''}`,
    `Ended: ${session.endedAt ?? 'still open when converted'}${session.endReason ? ` (${session.endReason.replace(/_/g, ' ')})` : ''}`,
  ].join('\n');
}

async function requesterOf(tx: Ctx, session: ChatSession): Promise<Contact> {
  if (session.visitorEmail) return (await findOrCreateContactByEmail(tx, session.visitorEmail, session.visitorName ?? undefined)).contact;
  // A visitor who gave no email is still a person the ticket belongs to.
  return createContact({ ...tx, actor: systemActor('chat') }, { name: session.visitorName ?? `Chat visitor ${session.id.slice(-6)}`, emails: [], phones: [], organizationId: null, vip: false, notes: '' });
}

/**
 * Turns a chat into a ticket inside the caller's transaction (the session is locked): the
 * transcript as the opening customer message with the visitor's files, visitor info and the
 * chat's timeline as an internal note, a `chat_converted` event on the ticket's timeline.
 * A chat already converted returns its ticket.
 */
export async function convertInTransaction(tx: Ctx, session: ChatSession, reason: 'agent' | 'unanswered'): Promise<{ ticketId: string; ticketNumber: number }> {
  if (session.ticketId && session.ticketNumber !== null) return { ticketId: session.ticketId, ticketNumber: session.ticketNumber };
  const messages = await listChatMessages(tx.db, session.id);
  const requester = await requesterOf(tx, session);
  const mailbox = session.mailboxId ? await findMailboxById(tx.db, session.mailboxId) : undefined;
  const [agent] = session.assigneeId ? await getUsersByIds(tx, [session.assigneeId]) : [];
  const firstWords = messages.find((m) => m.authorType === 'visitor' && !m.attachment)?.body.replace(/\s+/g, ' ').slice(0, 80);
  const at = tx.now.toISOString();
  const ticket = await insertNewTicket(tx, {
    subject: `Chat with ${session.visitorName ?? requester.name}${firstWords ? `: ${firstWords}` : ''}`.slice(0, 500),
    requesterId: requester.id,
    organizationId: requester.organizationId,
    requesterText: contactSearchText(requester),
    priority: 'medium',
    type: 'question',
    channel: 'chat',
    assigneeId: session.assigneeId,
    groupId: mailbox?.defaultGroupId ?? null,
    tags: reason === 'unanswered' ? ['chat', 'chat-unanswered'] : ['chat'],
    customFields: {},
    requireFields: false,
    openingMessage: { kind: 'customer', at },
  });
  // The visitor's files were stored by the chat channel (no uploading user): a system actor claims them.
  const sys: Ctx = { ...tx, actor: systemActor('chat') };
  const attachmentIds = messages.flatMap((m) => (m.attachment ? [m.attachment.id] : []));
  const opened = await addMessageToTicket(sys, ticket, { kind: 'customer', body: transcriptText(session, messages), format: 'text', attachmentIds, authorContactId: requester.id, opening: true });
  await addMessageToTicket(sys, opened.ticket, { kind: 'note', body: visitorNote(session, agent?.name ?? null), format: 'text', attachmentIds: [] });
  await appendTicketEvents(
    tx.db,
    eventsFrom(tx, ticket.id, [
      {
        action: 'chat_converted',
        from: null,
        to: { sessionId: session.id, reason, startedAt: session.createdAt, acceptedAt: session.acceptedAt, endedAt: session.endedAt, agentId: session.assigneeId, messages: messages.length },
      },
    ]),
  );
  if (mailbox) await upsertMailThread(tx.db, { ticketId: ticket.id, mailboxId: mailbox.id, lastInboundHeaderId: null }, at);
  session.ticketId = ticket.id;
  session.ticketNumber = ticket.number;
  await appendLine(tx, session, { authorType: 'system', authorName: 'system', body: `This conversation is now ticket #${ticket.number}` });
  session.status = 'converted';
  session.endedAt = session.endedAt ?? at;
  session.endReason = session.endReason ?? (reason === 'agent' ? 'converted' : 'unanswered');
  await saveChatSession(tx.db, session);
  await emit(tx, 'chat.updated', { sessionId: session.id, status: session.status, assigneeId: session.assigneeId, previousAssigneeId: null });
  return { ticketId: ticket.id, ticketNumber: ticket.number };
}
