// The web app's view of the API: types only, inferred from contracts/, so zod never enters the bundle.
import type { z } from 'zod';
import type { groupResponse, meResponse, userResponse } from '../../../contracts/auth.js';
import type { contactResponse, organizationResponse } from '../../../contracts/contacts.js';
import type { attachmentResponse, messageResponse, postMessageResponse } from '../../../contracts/messages.js';
import type { settingsSchema } from '../../../contracts/settings.js';
import type {
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  VIEW_COLUMNS,
  customFieldResponse,
  ticketEventResponse,
  ticketResponse,
  viewResponse,
  viewSort,
} from '../../../contracts/tickets.js';
import type { ErrorResponse } from '../../../contracts/errors.js';

export type User = z.infer<typeof userResponse>;
export type Me = z.infer<typeof meResponse>;
export type Group = z.infer<typeof groupResponse>;
export type Contact = z.infer<typeof contactResponse>;
export type Organization = z.infer<typeof organizationResponse>;
export type Ticket = z.infer<typeof ticketResponse>;
export type TicketEvent = z.infer<typeof ticketEventResponse>;
export type Message = z.infer<typeof messageResponse>;
export type Attachment = z.infer<typeof attachmentResponse>;
export type PostMessageResult = z.infer<typeof postMessageResponse>;
export type View = z.infer<typeof viewResponse>;
export type ViewSort = z.infer<typeof viewSort>;
export type ViewColumn = (typeof VIEW_COLUMNS)[number];
export type CustomField = z.infer<typeof customFieldResponse>;
export type Settings = z.infer<typeof settingsSchema>;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export type TicketType = (typeof TICKET_TYPES)[number];
export type TicketChannel = (typeof TICKET_CHANNELS)[number];
export type ApiErrorBody = ErrorResponse['error'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** GET /api/v1/tickets/filter-fields */
export interface FilterField {
  name: string;
  aliases: string[];
  operators: string[];
  values: string[];
  keywords: string[];
  example: string;
  description: string;
}
