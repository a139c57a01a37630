import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { toastError } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import type { Message, Page, PostMessageResult, Ticket, TicketEvent, TicketPriority, TicketStatus, TicketType } from '../../lib/types.js';

export const ticketKey = (n: number) => ['ticket', n] as const;

export function useTicket(n: number) {
  return useQuery({ queryKey: ticketKey(n), queryFn: () => api.get<Ticket>(`/api/v1/tickets/${n}`) });
}

/** The whole conversation: the server answers it a bounded page at a time. */
async function allMessages(n: number, signal: AbortSignal): Promise<Message[]> {
  const out: Message[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Message> = await api.get<Page<Message>>(`/api/v1/tickets/${n}/messages`, { limit: 500, ...(cursor ? { cursor } : {}) }, { signal });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export function useMessages(n: number) {
  return useQuery({ queryKey: [...ticketKey(n), 'messages'], queryFn: ({ signal }) => allMessages(n, signal) });
}

export function useEvents(n: number) {
  return useQuery({ queryKey: [...ticketKey(n), 'events'], queryFn: () => api.get<Page<TicketEvent>>(`/api/v1/tickets/${n}/events`, { limit: 500 }).then((r) => r.items) });
}

/** After any change to a ticket: lists and counts may have moved too. */
export function refreshAround(qc: QueryClient, n: number): void {
  void qc.invalidateQueries({ queryKey: ticketKey(n) });
  void qc.invalidateQueries({ queryKey: ['tickets'] });
  void qc.invalidateQueries({ queryKey: ['views'] });
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: TicketPriority;
  type?: TicketType;
  assigneeId?: string | null;
  groupId?: string | null;
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
  customFields?: Record<string, unknown>;
  spam?: boolean;
  starred?: boolean;
  subject?: string;
}

export function useUpdateTicket(n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: TicketPatch) => api.patch<Ticket>(`/api/v1/tickets/${n}`, patch),
    onSuccess: (tk) => qc.setQueryData(ticketKey(n), tk),
    onError: (err) => toastError(err),
    onSettled: () => refreshAround(qc, n),
  });
}

export interface PostInput {
  kind: 'reply' | 'note';
  body: string;
  attachmentIds: string[];
  setStatus?: TicketStatus;
}

export function usePostMessage(n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: PostInput) => api.post<PostMessageResult>(`/api/v1/tickets/${n}/messages`, { ...input, format: 'text' }),
    onSuccess: (r) => {
      qc.setQueryData(ticketKey(n), r.ticket);
      qc.setQueryData<Message[]>([...ticketKey(n), 'messages'], (old) => (old ? [...old, r.message] : old));
    },
    onSettled: () => refreshAround(qc, n),
  });
}
