import { expect } from 'vitest';
import { createTicket, type TestApp } from '../support/test-app.js';

export type Sla = { target: string; dueAt: string | null; breached: boolean; paused: boolean } | null;
export type Target = { target: string; minutes: number; startAt: string; dueAt: string; metAt: string | null; warnedAt: string | null; breachedAt: string | null };
export const none = { firstResponse: null, nextResponse: null, resolution: null };

/** What an admin reads of SLA clocks through the API, with the delivery and jobs a change sets off worked off first. */
export function slaProbes(app: () => TestApp) {
  const settle = async () => {
    const t = app();
    await t.deps.events.idle();
    await t.deps.jobs.drain();
    await t.deps.events.idle();
  };
  const slaOf = async (n: number): Promise<Sla> => (await app().admin.get(`/api/v1/tickets/${n}`)).json().sla as Sla;
  const detail = async (n: number): Promise<{ policy: { name: string } | null; paused: boolean; targets: Target[] }> => (await app().admin.get(`/api/v1/tickets/${n}/sla`)).json();
  const target = async (n: number, name: string) => (await detail(n)).targets.find((x) => x.target === name);
  const sweep = async () => {
    const res = await app().admin.post('/api/v1/sla/sweep');
    expect(res.statusCode).toBe(200);
    await settle();
    return res.json() as { warned: number; breached: number };
  };
  const make = async (over: Record<string, unknown> = {}) => {
    const tk = await createTicket(app().admin, over);
    await settle();
    return tk;
  };
  return { settle, slaOf, detail, target, sweep, make };
}
