import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setupSupportMailbox } from '../mail/mail-support.js';
import { mailIn, settle } from '../mail/outbound-support.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';
import { startReceiver, type Receiver } from './http-receiver.js';

const DAY = 86400_000;

interface OutboxItem {
  ticketNumber: number | null;
  subject: string;
  to: { address: string }[];
  rendered: { html: string; text: string };
}

describeEachDialect('CSAT surveys', (dialect) => {
  let t: TestApp;
  let rx: Receiver;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await setupSupportMailbox(t);
    expect((await t.admin.get('/api/v1/csat/settings')).json()).toMatchObject({ enabled: false });
    expect((await t.admin.patch('/api/v1/csat/settings', { enabled: true })).statusCode).toBe(200);
    rx = await startReceiver();
    await t.admin.patch('/api/v1/integrations/settings', { allowPrivateTargets: true });
    await t.admin.post('/api/v1/integrations/webhooks', { name: 'reports', url: `${rx.url}/csat`, eventTypes: ['csat.rated'] });
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  const surveys = async (number: number): Promise<OutboxItem[]> =>
    ((await t.admin.get('/api/v1/mail/outbox?limit=100')).json().items as OutboxItem[]).filter((m) => m.ticketNumber === number && m.subject.startsWith('How did we do?'));
  const resolve = async (number: number) => {
    t.clock.advance(1000);
    const res = await t.admin.patch(`/api/v1/tickets/${number}`, { status: 'resolved' });
    expect(res.statusCode, res.body).toBe(200);
    await settle(t);
  };
  const linksOf = (m: OutboxItem): Map<string, string> => {
    const out = new Map<string, string>();
    for (const match of m.rendered.text.matchAll(/^(.+): (http:\/\/\S+\/csat\/\S+)$/gm)) out.set(match[1]!, match[2]!);
    return out;
  };
  const open = (url: string): Promise<LightMyRequestResponse> => t.app.inject({ method: 'GET', url: new URL(url).pathname + new URL(url).search });
  const postForm = (url: string, form: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: new URL(url).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });

  it('mails a survey with one-click links when a ticket is resolved; a click stores the rating agents see', async () => {
    const ticket = await createTicket(t.admin, { subject: 'Invoice wrong', requester: { email: 'dana@customer.test', name: 'Dana Doe' } });
    await settle(t);
    expect(await surveys(ticket.number)).toEqual([]);
    await resolve(ticket.number);
    const [mail, ...more] = await surveys(ticket.number);
    expect(more).toEqual([]);
    expect(mail!.to.map((a) => a.address)).toEqual(['dana@customer.test']);
    expect(mail!.rendered.text).toContain('Hello Dana,');
    const links = linksOf(mail!);
    expect([...links.keys()]).toEqual(['Good', 'Bad']);
    expect(mail!.rendered.html).toContain(links.get('Good')!.replace(/&/g, '&amp;'));

    const agent = await t.user({ role: 'agent' });
    expect((await agent.get(`/api/v1/tickets/${ticket.number}/csat`)).json()).toEqual({ rating: null });
    const page = await open(links.get('Good')!);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Thank you for your feedback');
    expect(page.body).toContain('data-rating="1"');
    const seen = (await agent.get(`/api/v1/tickets/${ticket.number}/csat`)).json().rating;
    expect(seen).toMatchObject({ number: ticket.number, rating: 1, scale: 'good_bad', label: 'Good', comment: null });
    await settle(t);
    const rated = rx.received.map((r) => JSON.parse(r.body)).filter((b) => b.event === 'csat.rated' && b.data.number === ticket.number);
    expect(rated.map((b) => b.data)).toEqual([expect.objectContaining({ rating: 1, scale: 'good_bad', comment: null })]);

    // Changed with a comment within the window: the agent sees the new rating.
    t.clock.advance(DAY);
    const changed = await postForm(links.get('Bad')!, { rating: '0', comment: 'Still charged twice' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await agent.get(`/api/v1/tickets/${ticket.number}/csat`)).json().rating).toMatchObject({ rating: 0, label: 'Bad', comment: 'Still charged twice' });

    // Reopened and resolved again: no second survey.
    t.clock.advance(1000);
    await t.admin.patch(`/api/v1/tickets/${ticket.number}`, { status: 'open' });
    await resolve(ticket.number);
    expect(await surveys(ticket.number)).toHaveLength(1);

    // After the change window (3 days by default) the rating is final.
    t.clock.advance(3 * DAY);
    const late = await open(links.get('Good')!);
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('can no longer be changed');
    expect((await agent.get(`/api/v1/tickets/${ticket.number}/csat`)).json().rating).toMatchObject({ rating: 0, comment: 'Still charged twice' });
  });

  it('sends no survey to machines (auto-replies) and none while surveys are off', async () => {
    const robot = await mailIn(t, { from: 'robot@customer.test', subject: 'Daily report', headers: { 'Auto-Submitted': 'auto-generated' } });
    const person = await mailIn(t, { from: 'gail@customer.test', subject: 'Question' });
    await settle(t);
    await resolve(robot.number);
    expect(await surveys(robot.number)).toEqual([]);
    await t.admin.patch('/api/v1/csat/settings', { enabled: false });
    await resolve(person.number);
    expect(await surveys(person.number)).toEqual([]);
    await t.admin.patch('/api/v1/csat/settings', { enabled: true });
  });

  it('refuses tampered and expired links and ratings off the scale', async () => {
    const ticket = await createTicket(t.admin, { subject: 'Login loop', requester: { email: 'eve@customer.test', name: 'Eve' } });
    await resolve(ticket.number);
    const good = linksOf((await surveys(ticket.number))[0]!).get('Good')!;
    const url = new URL(good);
    const token = url.pathname.split('/').pop()!;
    const [id, exp, scale, sig] = token.split('.') as [string, string, string, string];
    const other = await createTicket(t.admin, { subject: 'Someone else' });
    const forged = [
      `${id}.${exp}.${scale}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`,
      `${other.id}.${exp}.${scale}.${sig}`,
      `${id}.${Number(exp) + 86400 * 365}.${scale}.${sig}`,
      `${id}.${exp}.f.${sig}`,
    ];
    for (const f of forged) {
      const res = await t.app.inject({ method: 'GET', url: `/csat/${f}?rating=1` });
      expect(res.statusCode, f).toBe(403);
      expect(res.body).toContain('not valid');
    }
    const offScale = await t.app.inject({ method: 'GET', url: `${url.pathname}?rating=5` });
    expect(offScale.statusCode).toBe(400);
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}/csat`)).json()).toEqual({ rating: null });
    expect((await t.admin.get(`/api/v1/tickets/${other.number}/csat`)).json()).toEqual({ rating: null });

    t.clock.advance(15 * DAY);
    const expired = await open(good);
    expect(expired.statusCode).toBe(403);
    expect(expired.body).toContain('expired');
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}/csat`)).json()).toEqual({ rating: null });
  });

  it('offers a 1-5 scale when configured, and customers cannot read ratings through the API', async () => {
    const s = await t.admin.patch('/api/v1/csat/settings', { scale: 'five', changeDays: 1 });
    expect(s.json()).toMatchObject({ scale: 'five', changeDays: 1, enabled: true });
    expect(JSON.stringify(s.json())).not.toContain('secret');
    const ticket = await createTicket(t.admin, { subject: 'Slow app', requester: { email: 'finn@customer.test', name: 'Finn' } });
    await resolve(ticket.number);
    const links = linksOf((await surveys(ticket.number))[0]!);
    expect([...links.keys()]).toEqual(['5 of 5', '4 of 5', '3 of 5', '2 of 5', '1 of 5']);
    expect((await open(links.get('4 of 5')!)).statusCode).toBe(200);
    expect((await t.admin.get(`/api/v1/tickets/${ticket.number}/csat`)).json().rating).toMatchObject({ rating: 4, scale: 'five', label: '4 of 5' });
    expect((await t.anonymous.get(`/api/v1/tickets/${ticket.number}/csat`)).statusCode).toBe(401);
    const agent = await t.user({ role: 'agent' });
    expect((await agent.patch('/api/v1/csat/settings', { enabled: false })).statusCode).toBe(403);
    await t.admin.patch('/api/v1/csat/settings', { scale: 'good_bad', changeDays: 3 });
  });
});
