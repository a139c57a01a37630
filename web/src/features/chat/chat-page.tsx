import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { toastError } from '../../components/toast.js';
import { t } from '../../lib/i18n.js';
import { subscribeLiveEvents } from '../../lib/live-updates.js';
import { useStaff } from '../../lib/queries.js';
import { Link, navigate } from '../../lib/router.js';
import { useSession } from '../auth/session.js';
import { chatActions, useCanned, useChat, useChats, type ChatLine, type ChatSession } from './chat-api.js';
import './chat.css';

/** While the console is open the agent counts as available, so widgets offer chat instead of the offline form. */
function useAvailability(): void {
  useEffect(() => {
    const report = () => void chatActions.presence(true).catch(() => undefined);
    report();
    const timer = setInterval(report, 20_000);
    return () => {
      clearInterval(timer);
      void chatActions.presence(false).catch(() => undefined);
    };
  }, []);
}

export function ChatPage({ chatId }: { chatId: string | null }) {
  useAvailability();
  const list = useChats();
  const items = list.data?.items ?? [];
  const waiting = items.filter((s) => s.status === 'waiting');
  const active = items.filter((s) => s.status === 'active');
  return (
    <div className="page chat-console">
      <header className="page-header">
        <h1>{t('chat.title')}</h1>
        <span className="muted">{t('chat.available')} {list.data ? t('chat.agentsOnline', { n: list.data.agentsOnline }) : ''}</span>
      </header>
      <div className="chat-columns">
        <nav className="chat-lists" aria-label={t('chat.title')}>
          <ChatList title={t('chat.waiting')} sessions={waiting} current={chatId} />
          <ChatList title={t('chat.active')} sessions={active} current={chatId} />
        </nav>
        {chatId ? <ChatView id={chatId} key={chatId} /> : <p className="chat-empty">{t('chat.pick')}</p>}
      </div>
    </div>
  );
}

function ChatList({ title, sessions, current }: { title: string; sessions: ChatSession[]; current: string | null }) {
  return (
    <section aria-label={title}>
      <h2>
        {title} <span className="nav-count">{sessions.length}</span>
      </h2>
      {sessions.length === 0 && <p className="muted">{t('chat.none')}</p>}
      <ul>
        {sessions.map((s) => (
          <li key={s.id}>
            <Link to={`/chat/${s.id}`} className={s.id === current ? 'chat-item active' : 'chat-item'} data-chat={s.id}>
              <strong>{s.visitorName ?? t('chat.visitor')}</strong>
              <span className="muted">{s.visitorInfo.pageUrl ?? ''}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function statusText(s: ChatSession): string {
  if (s.status === 'waiting') return t('chat.status.waiting');
  if (s.status === 'active') return t('chat.status.active', { name: s.assignee?.name ?? '' });
  if (s.status === 'converted') return t('chat.status.converted', { n: s.ticketNumber ?? '' });
  return t('chat.status.ended');
}

function ChatView({ id }: { id: string }) {
  const { me } = useSession();
  const qc = useQueryClient();
  const chat = useChat(id);
  const [visitorTyping, setVisitorTyping] = useState(false);
  const logRef = useRef<HTMLOListElement>(null);

  useEffect(
    () =>
      subscribeLiveEvents((e) => {
        if (e.name === 'chat.typing' && e.payload.sessionId === id) setVisitorTyping(Boolean(e.payload.on));
        if (e.name === 'chat.message' && e.payload.sessionId === id) setVisitorTyping(false);
      }),
    [id],
  );
  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [chat.data?.messages.length]);

  if (!chat.data) return <p className="chat-empty">{t('common.loading')}</p>;
  const { session, messages } = chat.data;
  const mine = session.status === 'active' && session.assignee?.id === me.id;
  const refresh = () => void qc.invalidateQueries({ queryKey: ['chat'] });
  const run = (p: Promise<unknown>) => p.then(refresh, toastError);

  return (
    <section className="chat-view" aria-label={session.visitorName ?? t('chat.visitor')}>
      <header className="chat-view-header">
        <div>
          <h2>{session.visitorName ?? t('chat.visitor')}</h2>
          <p className="muted" data-testid="chat-status">
            {statusText(session)}
          </p>
        </div>
        <div className="chat-actions">
          {session.status === 'waiting' && (
            <button type="button" className="button primary" onClick={() => run(chatActions.accept(id))}>
              {t('chat.accept')}
            </button>
          )}
          {mine && <TransferMenu id={id} meId={me.id} onDone={refresh} />}
          {mine && (
            <button type="button" className="button" onClick={() => run(chatActions.end(id))}>
              {t('chat.end')}
            </button>
          )}
          {session.ticketNumber ? (
            <Link to={`/tickets/${session.ticketNumber}`} className="button">
              {t('chat.openTicket', { n: session.ticketNumber })}
            </Link>
          ) : (
            (mine || session.status === 'ended') && (
              <button type="button" className="button" onClick={() => void chatActions.convert(id).then((r) => navigate(`/tickets/${r.ticketNumber}`), toastError)}>
                {t('chat.convert')}
              </button>
            )
          )}
        </div>
      </header>
      <VisitorInfo session={session} />
      <ol className="chat-log" ref={logRef} aria-live="polite">
        {messages.map((m) => (
          <Line key={m.id} m={m} chatId={id} />
        ))}
      </ol>
      <p className="chat-typing" aria-live="polite">
        {visitorTyping ? t('chat.visitorTyping') : ''}
      </p>
      {mine && <Composer id={id} visitorName={session.visitorName} />}
    </section>
  );
}

function Line({ m, chatId }: { m: ChatLine; chatId: string }) {
  if (m.author === 'system') return <li className="chat-line system">{m.body}</li>;
  return (
    <li className={`chat-line ${m.author}`}>
      <span className="chat-who">{m.authorName}</span>
      {m.attachment ? (
        <a href={`/api/v1/chat/sessions/${chatId}/files/${m.attachment.id}`}>{t('chat.file', { name: m.attachment.filename })}</a>
      ) : (
        <span className="chat-body">{m.body}</span>
      )}
    </li>
  );
}

function VisitorInfo({ session }: { session: ChatSession }) {
  const i = session.visitorInfo;
  const rows: [string, string | null][] = [
    [t('chat.email'), session.visitorEmail],
    [t('chat.page'), i.pageUrl],
    [t('chat.referrer'), i.referrer],
    [t('chat.browser'), i.browser],
    [t('chat.locale'), i.locale],
  ];
  return (
    <dl className="chat-info">
      {rows
        .filter(([, v]) => v)
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

function TransferMenu({ id, meId, onDone }: { id: string; meId: string; onDone: () => void }) {
  const staff = useStaff();
  return (
    <label className="chat-transfer">
      {t('chat.transfer')}{' '}
      <select
        value=""
        onChange={(e) => {
          if (e.target.value) void chatActions.transfer(id, e.target.value).then(onDone, toastError);
        }}
      >
        <option value="">{t('chat.transferPick')}</option>
        {(staff.data ?? [])
          .filter((u) => u.id !== meId && u.active !== false)
          .map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
      </select>
    </label>
  );
}

/** Canned responses are Liquid templates for mail; in a chat only the visitor's name is filled in. */
function fillCanned(body: string, visitorName: string | null): string {
  const name = visitorName ?? '';
  return body
    .replace(/\{\{\s*requester\.first_?[nN]ame\s*\}\}/g, name.split(/\s+/)[0] ?? '')
    .replace(/\{\{\s*requester\.name\s*\}\}/g, name)
    .replace(/\{\{[^}]*\}\}/g, '')
    .trim();
}

function Composer({ id, visitorName }: { id: string; visitorName: string | null }) {
  const [text, setText] = useState('');
  const typing = useRef<{ on: boolean; timer?: ReturnType<typeof setTimeout> }>({ on: false });
  const canned = useCanned();
  const setTyping = (on: boolean) => {
    if (typing.current.on === on) return;
    typing.current.on = on;
    void chatActions.typing(id, on).catch(() => undefined);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setTyping(false);
    void chatActions.send(id, body).then(() => setText(''), toastError);
  };
  return (
    <form className="chat-composer" onSubmit={submit}>
      <select aria-label={t('chat.canned')} value="" onChange={(e) => setText((cur) => (cur ? `${cur} ` : '') + fillCanned(canned.data?.find((c) => c.id === e.target.value)?.body ?? '', visitorName))}>
        <option value="">{t('chat.cannedPick')}</option>
        {(canned.data ?? []).map((c) => (
          <option key={c.id} value={c.id}>
            {c.title}
          </option>
        ))}
      </select>
      <textarea
        aria-label={t('chat.reply')}
        value={text}
        rows={2}
        onChange={(e) => {
          setText(e.target.value);
          setTyping(e.target.value.length > 0);
          clearTimeout(typing.current.timer);
          typing.current.timer = setTimeout(() => setTyping(false), 3000);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) submit(e);
        }}
      />
      <button type="submit" className="button primary">
        {t('chat.send')}
      </button>
    </form>
  );
}
