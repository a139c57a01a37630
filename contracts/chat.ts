import { z } from 'zod';
import { email, isoDateTime, patchOf, uuid } from './common.js';

/** Live chat: the visitor's widget, the agent console, and the visitor socket protocol. */

export const CHAT_STATUSES = ['waiting', 'active', 'ended', 'converted'] as const;
export const chatStatus = z.enum(CHAT_STATUSES);
export const preChatField = z.enum(['hidden', 'optional', 'required']);

export const chatSettings = z.strictObject({
  enabled: z.boolean().default(true),
  title: z.string().trim().min(1).max(100).default('Chat with us'),
  greeting: z.string().trim().max(500).default('Hello! How can we help?'),
  preChatName: preChatField.default('optional'),
  preChatEmail: preChatField.default('optional'),
  /** A waiting chat no agent accepts within this time becomes a ticket by itself. */
  unansweredAfterSeconds: z.number().int().min(10).max(86_400).default(180),
});
export type ChatSettings = z.output<typeof chatSettings>;
export const updateChatSettingsRequest = patchOf(chatSettings);

export const visitorInfo = z.object({
  pageUrl: z.string().max(2000).nullable(),
  referrer: z.string().max(2000).nullable(),
  userAgent: z.string().max(1000).nullable(),
  browser: z.string().max(100).nullable(),
  locale: z.string().max(35).nullable(),
  ip: z.string().max(64).nullable(),
});
export type VisitorInfo = z.infer<typeof visitorInfo>;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);

export const widgetConfigQuery = z.object({ mailbox: z.string().max(254).optional() });
export const widgetConfigResponse = z.object({
  online: z.boolean(),
  title: z.string(),
  greeting: z.string(),
  preChatName: preChatField,
  preChatEmail: preChatField,
});

export const startChatRequest = z.strictObject({
  mailbox: optionalText(254),
  name: optionalText(200),
  email: z.union([email, z.literal('')]).optional().transform((v) => v || undefined),
  pageUrl: optionalText(2000),
  referrer: optionalText(2000),
  locale: optionalText(35),
});
export const startChatResponse = z.object({ sessionId: uuid, token: z.string() });

export const offlineMessageRequest = z.strictObject({
  mailbox: optionalText(254),
  name: optionalText(200),
  email,
  message: z.string().trim().min(1).max(20_000),
  pageUrl: optionalText(2000),
  referrer: optionalText(2000),
  locale: optionalText(35),
});
export const offlineMessageResponse = z.object({ ticketNumber: z.number().int() });

export const chatAttachment = z.object({ id: uuid, filename: z.string(), contentType: z.string(), size: z.number().int() });
export const chatMessageResponse = z.object({
  id: uuid,
  seq: z.number().int(),
  author: z.enum(['visitor', 'agent', 'system']),
  authorName: z.string(),
  body: z.string(),
  attachment: chatAttachment.nullable(),
  clientId: z.string().nullable(),
  createdAt: isoDateTime,
});
export type ChatMessageResponse = z.infer<typeof chatMessageResponse>;

export const chatSessionResponse = z.object({
  id: uuid,
  status: chatStatus,
  visitorName: z.string().nullable(),
  visitorEmail: z.string().nullable(),
  visitorInfo,
  assignee: z.object({ id: uuid, name: z.string() }).nullable(),
  ticketNumber: z.number().int().nullable(),
  endReason: z.string().nullable(),
  lastSeq: z.number().int(),
  createdAt: isoDateTime,
  acceptedAt: isoDateTime.nullable(),
  endedAt: isoDateTime.nullable(),
});
export type ChatSessionResponse = z.infer<typeof chatSessionResponse>;
export const chatSessionListResponse = z.object({ items: z.array(chatSessionResponse), agentsOnline: z.number().int() });
export const chatSessionDetailResponse = z.object({ session: chatSessionResponse, messages: z.array(chatMessageResponse) });

export const listChatsQuery = z.object({ status: z.enum(['open', 'waiting', 'active', 'ended', 'converted']).default('open') });
export const chatIdParams = z.object({ id: uuid });
export const agentChatMessageRequest = z.strictObject({ body: z.string().trim().min(1).max(20_000) });
export const chatTypingRequest = z.strictObject({ on: z.boolean() });
export const transferChatRequest = z.strictObject({ userId: uuid });
export const convertChatResponse = z.object({ ticketNumber: z.number().int(), ticketId: uuid });

/** Frames the widget sends on the visitor socket. */
export const visitorClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), body: z.string().trim().min(1).max(20_000), clientId: z.string().max(64).optional() }),
  z.object({ type: z.literal('typing'), on: z.boolean() }),
  z.object({ type: z.literal('leave') }),
  z.object({ type: z.literal('ping') }),
]);
export type VisitorClientFrame = z.infer<typeof visitorClientFrame>;

/** Frames the server sends on the visitor socket (agents' identities are reduced to a display name). */
export type VisitorServerFrame =
  | { type: 'welcome'; status: z.infer<typeof chatStatus>; agentName: string | null; messages: ChatMessageResponse[] }
  | { type: 'message'; message: ChatMessageResponse }
  | { type: 'typing'; on: boolean; name: string }
  | { type: 'status'; status: z.infer<typeof chatStatus>; agentName: string | null }
  | { type: 'error'; code: string; message: string }
  | { type: 'pong' };
