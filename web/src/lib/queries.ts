import { useQuery } from '@tanstack/react-query';
import { api } from './api.js';
import type { CustomField, FilterField, Group, Settings, User, View } from './types.js';

// Reference data every screen shares; cached for minutes because it changes rarely.
const FIVE_MIN = 5 * 60_000;

export function useStaff() {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => api.get<{ items: User[] }>('/api/v1/users').then((r) => r.items.filter((u) => u.role !== 'customer')),
    staleTime: FIVE_MIN,
  });
}

export function useGroups() {
  return useQuery({ queryKey: ['groups'], queryFn: () => api.get<{ items: Group[] }>('/api/v1/groups').then((r) => r.items), staleTime: FIVE_MIN });
}

export function useCustomFields() {
  return useQuery({ queryKey: ['custom-fields'], queryFn: () => api.get<{ items: CustomField[] }>('/api/v1/custom-fields').then((r) => r.items), staleTime: FIVE_MIN });
}

export function useFilterFields() {
  return useQuery({ queryKey: ['filter-fields'], queryFn: () => api.get<{ fields: FilterField[] }>('/api/v1/tickets/filter-fields').then((r) => r.fields), staleTime: FIVE_MIN });
}

export function useSettings() {
  return useQuery({ queryKey: ['settings'], queryFn: () => api.get<Settings>('/api/v1/settings'), staleTime: FIVE_MIN });
}

/** Sidebar views with counts; live events invalidate them, and they refresh every minute anyway. */
export function useViews() {
  return useQuery({ queryKey: ['views'], queryFn: () => api.get<{ items: View[] }>('/api/v1/views').then((r) => r.items), refetchInterval: 60_000 });
}

export function nameOf<T extends { id: string; name: string }>(list: T[] | undefined, id: string | null | undefined): string | undefined {
  if (!id) return undefined;
  return list?.find((x) => x.id === id)?.name;
}
