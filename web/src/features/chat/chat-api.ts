import { useQuery } from '@tanstack/react-query';
import type { ChatMessageResponse, ChatSessionResponse } from '../../../../contracts/chat.js';
import { api } from '../../lib/api.js';
import { onLiveEvent } from '../../lib/live-updates.js';

export type ChatSession = ChatSessionResponse;
export type ChatLine = ChatMessageResponse;

export interface CannedResponse {
  id: string;
  title: string;
  body: string;
}

export function useChats() {
  return useQuery({
    queryKey: ['chat', 'list'],
    queryFn: () => api.get<{ items: ChatSession[]; agentsOnline: number }>('/api/v1/chat/sessions', { status: 'open' }),
  });
}

export function useChat(id: string | null) {
  return useQuery({
    queryKey: ['chat', 'detail', id],
    queryFn: () => api.get<{ session: ChatSession; messages: ChatLine[] }>(`/api/v1/chat/sessions/${id}`),
    enabled: Boolean(id),
  });
}

export function useCanned() {
  return useQuery({ queryKey: ['canned-responses'], queryFn: () => api.get<{ items: CannedResponse[] }>('/api/v1/canned-responses').then((r) => r.items), staleTime: 60_000 });
}

export const chatActions = {
  presence: (online: boolean) => api.post<{ agentsOnline: number }>('/api/v1/chat/presence', { online }),
  accept: (id: string) => api.post<ChatSession>(`/api/v1/chat/sessions/${id}/accept`),
  send: (id: string, body: string) => api.post<ChatLine>(`/api/v1/chat/sessions/${id}/messages`, { body }),
  typing: (id: string, on: boolean) => api.post(`/api/v1/chat/sessions/${id}/typing`, { on }),
  transfer: (id: string, userId: string) => api.post<ChatSession>(`/api/v1/chat/sessions/${id}/transfer`, { userId }),
  end: (id: string) => api.post<ChatSession>(`/api/v1/chat/sessions/${id}/end`),
  convert: (id: string) => api.post<{ ticketNumber: number }>(`/api/v1/chat/sessions/${id}/convert`),
};

// Chat pushes arrive on the agent's own room; the lists and the open transcript are plain queries.
onLiveEvent('chat.message', (_e, qc) => void qc.invalidateQueries({ queryKey: ['chat'] }));
onLiveEvent('chat.updated', (_e, qc) => void qc.invalidateQueries({ queryKey: ['chat'] }));
