import { expect } from 'vitest';
import type { TestApp } from '../support/test-app.js';

export type TicketJson = { id: string; number: number; status: string; priority: string; groupId: string | null; assignee: { id: string } | null; tags: string[]; [k: string]: unknown };
export type EventJson = { action: string; actor: { type: string; id: string | null }; from: unknown; to: unknown; data: Record<string, unknown> };

/** Commits are dispatched, rule jobs run, and whatever they emitted is dispatched and run too. */
export async function settle(t: TestApp): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await t.deps.events.idle();
    await t.deps.jobs.drain();
  }
  await t.deps.events.idle();
}

/** Creates a rule through the API as an admin would; returns its id. */
export async function rule(t: TestApp, body: Record<string, unknown>): Promise<string> {
  const res = await t.admin.post('/api/v1/automations/rules', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

export async function ticket(t: TestApp, number: number): Promise<TicketJson> {
  const res = await t.admin.get(`/api/v1/tickets/${number}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function events(t: TestApp, number: number): Promise<EventJson[]> {
  const res = await t.admin.get(`/api/v1/tickets/${number}/events?limit=200`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

export async function group(t: TestApp, name: string, memberIds: string[]): Promise<string> {
  const res = await t.admin.post('/api/v1/groups', { name, memberIds });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

export async function setStrategy(t: TestApp, groupId: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.app.inject({ method: 'PUT', url: `/api/v1/groups/${groupId}/assignment`, headers: { authorization: `Bearer ${t.admin.token}` }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
}

export async function patchUser(t: TestApp, userId: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.admin.patch(`/api/v1/users/${userId}`, body);
  expect(res.statusCode, res.body).toBe(200);
}

export async function sweep(t: TestApp): Promise<{ rules: number; matched: number; acted: number; episodesEnded: number }> {
  const res = await t.admin.post('/api/v1/automations/sweep');
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
