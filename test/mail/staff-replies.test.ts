import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { mailSubject } from '../../server/modules/channels/index.js';
import { upsertParticipants } from '../../server/modules/channels/threads.repository.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { deliverAndProcess, mail, messagesOf, setupSupportMailbox } from './mail-support.js';
import { mailIn, reply, settle } from './outbound-support.js';
import { startSmtpSink, type SinkMail, type SmtpSink } from './smtp-sink.js';

type Participant = { email: string; role: string };

/**
 * Staff answering by mail, and follow-ups of closed tickets: what the inbound side makes of an
 * agent's reply to their notification, who is copied on replies, and which ticket token a
 * subject carries.
 */
describeEachDialect('staff mail and follow-up subjects', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  let ben: ApiClient;
  let five: ApiClient;
  const fiveAddress = `agent5-${dialect}@demo.test`;

  beforeAll(async () => {
    sink = await startSmtpSink();
    process.env.SMTP_URL = sink.url;
    t = await createTestApp(dialect);
    delete process.env.SMTP_URL;
    await setupSupportMailbox(t);
    ben = await t.user({ role: 'agent', name: 'Ben Builder', email: `ben-${dialect}@demo.test` });
    five = await t.user({ role: 'agent', name: 'Agent Five', email: fiveAddress });
    expect((await five.patch('/api/v1/notifications/preferences', { mention: { email: true } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => sink.clear());

  const participants = async (number: number): Promise<Participant[]> => (await t.admin.get(`/api/v1/tickets/${number}/mail-participants`)).json().items;
  const ticket = async (number: number) => (await t.admin.get(`/api/v1/tickets/${number}`)).json();
  const mailsTo = (address: string): SinkMail[] => sink.mails.filter((m) => m.envelope.to.includes(address));

  /** Ben mentions Agent Five in a note; returns the notification mail Five receives. */
  async function mentionFive(number: number): Promise<SinkMail> {
    const note = await ben.post(`/api/v1/tickets/${number}/messages`, { kind: 'note', body: `@agent5-${dialect} can you call them?` });
    expect(note.statusCode).toBe(201);
    await settle(t);
    const [alert] = mailsTo(fiveAddress);
    expect(alert, 'the mention mail').toBeDefined();
    expect(alert!.parsed.subject).toBe(`You were mentioned by Ben Builder [#${number}]`);
    return alert!;
  }

  it('an agent answering their notification mail writes an internal note as themselves: no contact, no participant, no status change, nothing to the customer', async () => {
    const { number } = await mailIn(t, { from: `Cleo Customer <cleo-${dialect}@customer.test>`, subject: 'Router keeps rebooting' });
    await reply(t, number, 'Could you send us the model number?', { setStatus: 'waiting' });
    await settle(t);
    const alert = await mentionFive(number);
    sink.clear();

    const row = await deliverAndProcess(
      t,
      mail({
        from: `Agent Five <${fiveAddress}>`,
        subject: `Re: ${alert.parsed.subject}`,
        messageId: `<five-answers-${dialect}@demo.test>`,
        headers: { 'In-Reply-To': alert.parsed.messageId!, References: alert.parsed.messageId! },
        body: `Called them, it is the power supply. @ben-${dialect} FYI\r\n\r\nOn Monday Tessera wrote:\r\n> You were mentioned by Ben Builder`,
      }),
    );
    expect(row.status, row.reason ?? '').toBe('processed');
    expect(row.ticketNumber).toBe(number);
    expect(row.threadMatch).toBe(`message_id:${alert.parsed.messageId}`);
    const note = (await messagesOf(t, number)).find((m) => m.id === row.ticketMessageId)!;
    expect(note).toMatchObject({ kind: 'note', author: { type: 'user', id: five.userId, name: 'Agent Five' } });
    expect(note.bodyText).toContain('it is the power supply');
    expect(note.bodyText).not.toContain('You were mentioned');

    expect((await ticket(number)).status).toBe('waiting');
    expect((await participants(number)).map((p) => p.email)).not.toContain(fiveAddress);
    expect((await t.admin.get(`/api/v1/contacts?q=${encodeURIComponent(fiveAddress)}`)).json().items).toEqual([]);
    // Its @mention is a note's mention: Ben hears of it.
    await settle(t);
    const bell = (await ben.get('/api/v1/notifications?limit=100')).json().items as { kind: string; ticket: { number: number }; actor: { name: string } }[];
    expect(bell.filter((n) => n.ticket.number === number && n.kind === 'mention').map((n) => n.actor.name)).toEqual(['Agent Five']);

    // Nothing went to the customer; their next reply copies nobody from staff, and names no alert in its thread.
    expect(sink.mails.filter((m) => m.envelope.to.includes(`cleo-${dialect}@customer.test`))).toEqual([]);
    await reply(t, number, 'It is the power supply; a new one is on its way.');
    await settle(t);
    const [out] = sink.mails.filter((m) => m.envelope.to.includes(`cleo-${dialect}@customer.test`));
    expect(out!.envelope.to).toEqual([`cleo-${dialect}@customer.test`]);
    expect(out!.parsed.references).not.toContain(alert.parsed.messageId);
    expect(out!.parsed.inReplyTo).not.toContain(alert.parsed.messageId);
  });

  it('mail from a staff address onto a ticket that does not answer their notification is quarantined, not taken as the customer nor as their note', async () => {
    const { number, messageId } = await mailIn(t, { from: `dora-${dialect}@customer.test`, subject: 'Where is my parcel?' });
    await settle(t);
    const before = await messagesOf(t, number);
    // Anyone can write an agent's address in From; the customer's own Message-ID is no proof.
    const row = await deliverAndProcess(t, mail({ from: `Agent Five <${fiveAddress}>`, subject: 'Re: Where is my parcel?', messageId: `<forged-five-${dialect}@evil.test>`, headers: { 'In-Reply-To': messageId } }));
    expect(row.status).toBe('quarantined');
    expect(row.reason).toMatch(/address of agent Agent Five .* does not answer a notification mailed to them/);
    expect(await messagesOf(t, number)).toEqual(before);
    expect((await participants(number)).map((p) => p.email)).not.toContain(fiveAddress);
    expect((await ticket(number)).status).toBe('open');
  });

  it('a staff user who opened a ticket by mail is its requester: their answers stay customer messages', async () => {
    const { number, messageId } = await mailIn(t, { from: `Agent Five <${fiveAddress}>`, subject: 'My laptop will not start' });
    await reply(t, number, 'Is it plugged in?', { setStatus: 'waiting' });
    await settle(t);
    const row = await deliverAndProcess(t, mail({ from: `Agent Five <${fiveAddress}>`, subject: `Re: My laptop will not start [#${number}]`, messageId: `<five-requester-${dialect}@demo.test>`, headers: { 'In-Reply-To': messageId } }));
    expect(row.status, row.reason ?? '').toBe('processed');
    const message = (await messagesOf(t, number)).find((m) => m.id === row.ticketMessageId)!;
    expect(message).toMatchObject({ kind: 'customer', author: { type: 'contact' } });
    expect((await ticket(number)).status).toBe('open');
  });

  it('never copies staff on replies to the customer: in copy of new mail, or recorded as a participant before', async () => {
    const { number } = await mailIn(t, { from: `emil-${dialect}@customer.test`, subject: 'Invoice question', cc: `Agent Five <${fiveAddress}>, Fred <fred-${dialect}@customer.test>` });
    expect((await participants(number)).map((p) => p.email).sort()).toEqual([`emil-${dialect}@customer.test`, `fred-${dialect}@customer.test`]);
    // As inbound mail recorded them before it left staff out.
    const ticketId = (await ticket(number)).id as string;
    await upsertParticipants(t.deps.database.db, [{ ticketId, email: `ben-${dialect}@demo.test`, name: 'Ben Builder', role: 'cc', contactId: null }], t.clock.now().toISOString());
    await settle(t);
    sink.clear();
    await reply(t, number, 'Here is the corrected invoice.');
    await settle(t);
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]!.envelope.to.sort()).toEqual([`emil-${dialect}@customer.test`, `fred-${dialect}@customer.test`]);
  });

  it('a follow-up of a closed ticket drops its token; its mail carries only its own, and an answer by subject alone stays on it', async () => {
    const customer = `gina-${dialect}@customer.test`;
    const first = await mailIn(t, { from: customer, subject: 'AR test' });
    expect((await t.admin.patch(`/api/v1/tickets/${first.number}`, { status: 'closed' })).statusCode).toBe(200);
    await settle(t);
    sink.clear();

    const again = await deliverAndProcess(t, mail({ from: customer, subject: `Re: AR test [#${first.number}]`, messageId: `<gina-again-${dialect}@customer.test>`, headers: { 'In-Reply-To': first.messageId } }));
    expect(again.threadMatch).toMatch(new RegExp(`^follow_up_of:#${first.number}`));
    const followUp = again.ticketNumber!;
    expect((await ticket(followUp)).subject).toBe('Re: AR test');
    await settle(t);
    expect(sink.mails.map((m) => m.parsed.subject)).toEqual([`We received your request: Re: AR test [#${followUp}]`]);
    sink.clear();
    await reply(t, followUp, 'We are on it.');
    await settle(t);
    expect(sink.mails.map((m) => m.parsed.subject)).toEqual([`Re: AR test [#${followUp}]`]);

    // A client that keeps subjects only, after mail that carried both tokens.
    const bySubject = await deliverAndProcess(t, mail({ from: customer, subject: `Re: AR test [#${first.number}] [#${followUp}]`, messageId: `<gina-subject-${dialect}@customer.test>` }));
    expect(bySubject.threadMatch).toBe(`subject_token:#${followUp}`);
    expect(bySubject.ticketNumber).toBe(followUp);
  });

  it('outgoing subjects carry only the ticket\'s own token', () => {
    expect(mailSubject('Re: AR test [#124]', 134)).toBe('Re: AR test [#134]');
    expect(mailSubject('Re: AR test [#124] [#134]', 134)).toBe('Re: AR test [#134]');
    expect(mailSubject('[#124] Re: Re: AR test', 134)).toBe('Re: AR test [#134]');
    expect(mailSubject('[#134] Printer', 134)).toBe('[#134] Printer');
    expect(mailSubject('Order #124 late', 134)).toBe('Order #124 late [#134]');
  });
});
