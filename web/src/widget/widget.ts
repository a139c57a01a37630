/**
 * The live chat widget: `<script src="https://desk.example/widget.js" data-mailbox="support@...">`.
 * Plain DOM in a shadow root (the host page's styles cannot break it, ours cannot leak), built
 * by esbuild into web/dist/widget.js (bin/build-web-if-needed.mjs). Lines live on the server;
 * the widget keeps only its token and the last sequence number it showed, so a reload or a
 * dropped connection resumes where it stopped, and unsent lines are resent with their clientId
 * (the server stores each once).
 */
import type { ChatMessageResponse, VisitorServerFrame } from '../../../contracts/chat.js';

interface Config {
  online: boolean;
  title: string;
  greeting: string;
  preChatName: 'hidden' | 'optional' | 'required';
  preChatEmail: 'hidden' | 'optional' | 'required';
}
interface Stored {
  sessionId: string;
  token: string;
}

const script = document.currentScript as HTMLScriptElement | null;
const base = new URL(script?.src ?? '/widget.js', location.href).origin;
const mailbox = script?.dataset.mailbox || undefined;
const storeKey = `tessera-chat:${base}:${mailbox ?? ''}`;

const CSS = `
:host{all:initial;font:14px/1.4 system-ui,sans-serif;color:#1c2430}
*{box-sizing:border-box}
.launch{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 18px;background:#2456c7;color:#fff;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 2px 10px #0003}
.panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);height:460px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;border:1px solid #ccd3dd;border-radius:10px;box-shadow:0 6px 24px #0003;overflow:hidden}
.panel[hidden]{display:none}
header{display:flex;justify-content:space-between;align-items:center;padding:10px 12px;background:#2456c7;color:#fff;font-weight:600}
header button{background:none;border:0;color:#fff;font:inherit;cursor:pointer}
.body{flex:1;overflow:auto;padding:10px 12px}
form{display:flex;flex-direction:column;gap:8px}
label{display:flex;flex-direction:column;gap:2px;font-size:13px}
input,textarea{font:inherit;padding:6px 8px;border:1px solid #aab4c3;border-radius:6px;width:100%}
button.primary{background:#2456c7;color:#fff;border:0;border-radius:6px;padding:8px 12px;font:inherit;cursor:pointer}
button:focus-visible,input:focus-visible,textarea:focus-visible{outline:2px solid #f0a000;outline-offset:1px}
.msg{margin:6px 0;max-width:85%;padding:6px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}
.visitor{margin-left:auto;background:#2456c7;color:#fff}
.agent{background:#eef1f6}
.system{max-width:none;text-align:center;color:#5b6675;font-size:12px;padding:2px}
.who{display:block;font-size:11px;opacity:.8}
.pending{opacity:.6}
.typing{min-height:18px;padding:0 12px;color:#5b6675;font-size:12px}
.compose{display:flex;flex-direction:row;gap:6px;padding:8px;border-top:1px solid #e1e5eb;align-items:flex-end}
.compose textarea{resize:none;height:38px}
.file{position:relative;overflow:hidden;border:1px solid #aab4c3;border-radius:6px;padding:8px;cursor:pointer;background:#fff;font:inherit;font-size:13px}
.file input{position:absolute;inset:0;opacity:0;cursor:pointer}
.error{color:#b00020;font-size:13px}
.status{padding:4px 12px;font-size:12px;color:#5b6675;border-bottom:1px solid #e1e5eb}
`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(base + path, init);
  const body = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string; details?: { fields?: { path: string; message: string }[] } } };
  if (!res.ok) {
    const field = body.error?.details?.fields?.[0];
    throw Object.assign(new Error(field ? `${field.path.replace(/^body\./, '')}: ${field.message}` : (body.error?.message ?? `Request failed (${res.status})`)), { code: body.error?.code });
  }
  return body;
}

const postJson = <T>(path: string, body: unknown) => api<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const visitorFacts = () => ({ pageUrl: location.href, referrer: document.referrer || undefined, locale: navigator.language || undefined });

class ChatWidget {
  private readonly root: ShadowRoot;
  private readonly panel: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly footer: HTMLElement;
  private config: Config | null = null;
  private stored: Stored | null = null;
  private socket: WebSocket | null = null;
  private lastSeq = 0;
  private ended = false;
  private leaving = false;
  private retry = 0;
  private readonly pending = new Map<string, string>();
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private typingOn = false;

  constructor() {
    const host = el('div', { id: 'tessera-chat' });
    document.body.append(host);
    this.root = host.attachShadow({ mode: 'open' });
    this.root.append(el('style', {}, CSS));
    const launch = el('button', { class: 'launch', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'panel' }, 'Chat');
    this.status = el('div', { class: 'status', role: 'status' });
    this.body = el('div', { class: 'body', role: 'log', 'aria-live': 'polite', 'aria-label': 'Chat messages' });
    this.typing = el('div', { class: 'typing', 'aria-live': 'polite' });
    this.footer = el('div');
    const close = el('button', { type: 'button', 'aria-label': 'Close chat window' }, '×');
    const title = el('span', { id: 'title' }, 'Chat');
    this.panel = el('section', { class: 'panel', id: 'panel', role: 'dialog', 'aria-labelledby': 'title', hidden: '' }, el('header', {}, title, close), this.status, this.body, this.typing, this.footer);
    this.root.append(launch, this.panel);
    launch.addEventListener('click', () => (this.panel.hidden ? this.open(launch) : this.hide(launch)));
    close.addEventListener('click', () => this.hide(launch));
    try {
      this.stored = JSON.parse(localStorage.getItem(storeKey) ?? 'null') as Stored | null;
    } catch {
      this.stored = null;
    }
    if (this.stored) void this.open(launch);
  }

  private hide(launch: HTMLElement): void {
    this.panel.hidden = true;
    launch.setAttribute('aria-expanded', 'false');
  }

  private async open(launch: HTMLElement): Promise<void> {
    this.panel.hidden = false;
    launch.setAttribute('aria-expanded', 'true');
    if (this.socket || this.config) return;
    try {
      this.config = await api<Config>(`/api/v1/chat/visitor/config${mailbox ? `?mailbox=${encodeURIComponent(mailbox)}` : ''}`);
    } catch (e) {
      this.body.replaceChildren(el('p', { class: 'error', role: 'alert' }, (e as Error).message));
      return;
    }
    (this.root.getElementById('title') as HTMLElement).textContent = this.config.title;
    if (this.stored) return this.showChat();
    if (this.config.online) this.showPreChat();
    else this.showOffline();
  }

  private field(label: string, name: string, mode: 'optional' | 'required', type = 'text'): HTMLElement {
    const input = el('input', { name, type, autocomplete: name === 'email' ? 'email' : 'name' });
    if (mode === 'required') input.required = true;
    return el('label', {}, `${label}${mode === 'required' ? ' (required)' : ''}`, input);
  }

  private showPreChat(): void {
    const c = this.config!;
    const error = el('p', { class: 'error', role: 'alert' });
    const form = el('form', { 'aria-label': 'Start a chat' }, el('p', {}, c.greeting));
    if (c.preChatName !== 'hidden') form.append(this.field('Your name', 'name', c.preChatName));
    if (c.preChatEmail !== 'hidden') form.append(this.field('Your email', 'email', c.preChatEmail, 'email'));
    form.append(error, el('button', { class: 'primary', type: 'submit' }, 'Start chat'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const start = { mailbox, name: (data.get('name') as string | null) ?? undefined, email: (data.get('email') as string | null) ?? undefined, ...visitorFacts() };
      postJson<Stored>('/api/v1/chat/visitor/sessions', start).then(
        (s) => {
          this.stored = { sessionId: s.sessionId, token: s.token };
          localStorage.setItem(storeKey, JSON.stringify(this.stored));
          this.showChat();
        },
        (e: Error & { code?: string }) => {
          if (e.code === 'chat_unavailable') return this.showOffline();
          error.textContent = e.message;
        },
      );
    });
    this.body.replaceChildren(form);
    this.footer.replaceChildren();
  }

  private showOffline(): void {
    const error = el('p', { class: 'error', role: 'alert' });
    const form = el(
      'form',
      { 'aria-label': 'Leave a message' },
      el('p', {}, 'No one is available to chat right now. Leave a message and we will answer by email.'),
      this.field('Your name', 'name', 'optional'),
      this.field('Your email', 'email', 'required', 'email'),
      el('label', {}, 'Message (required)', el('textarea', { name: 'message', required: '', rows: '4' })),
      error,
      el('button', { class: 'primary', type: 'submit' }, 'Send message'),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const msg = { mailbox, name: data.get('name') as string, email: data.get('email') as string, message: data.get('message') as string, ...visitorFacts() };
      postJson<{ ticketNumber: number }>('/api/v1/chat/visitor/offline', msg).then(
        (r) => this.body.replaceChildren(el('p', { role: 'status' }, `Thank you! Your message was received as ticket #${r.ticketNumber}. We will reply by email.`)),
        (e: Error) => (error.textContent = e.message),
      );
    });
    this.body.replaceChildren(form);
    this.footer.replaceChildren();
  }

  private showChat(): void {
    this.body.replaceChildren();
    const text = el('textarea', { 'aria-label': 'Your message', placeholder: 'Type a message…' });
    const send = el('button', { class: 'primary', type: 'submit' }, 'Send');
    const file = el('input', { type: 'file', 'aria-label': 'Attach a file' });
    const end = el('button', { type: 'button', class: 'file' }, 'End chat');
    const form = el('form', { class: 'compose', 'aria-label': 'Write a message' }, el('span', { class: 'file' }, 'Attach', file), text, send);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = text.value.trim();
      if (!body || this.ended) return;
      text.value = '';
      this.setTyping(false);
      this.sendLine(body);
    });
    text.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    text.addEventListener('input', () => {
      this.setTyping(text.value.length > 0);
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => this.setTyping(false), 3000);
    });
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      if (f) void this.upload(f).finally(() => (file.value = ''));
    });
    end.addEventListener('click', () => {
      // Pressed while connecting, the leave goes when the socket opens, after the pending lines.
      this.leaving = true;
      this.frame({ type: 'leave' });
    });
    this.footer.replaceChildren(form, el('div', { style: 'padding:0 8px 8px;text-align:right' }, end));
    this.connect();
  }

  private setTyping(on: boolean): void {
    if (on === this.typingOn) return;
    this.typingOn = on;
    this.frame({ type: 'typing', on });
  }

  private frame(f: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(f));
    return true;
  }

  private sendLine(body: string): void {
    const clientId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    this.pending.set(clientId, body);
    this.body.append(el('p', { class: 'msg visitor pending', 'data-client-id': clientId }, body));
    this.scroll();
    this.frame({ type: 'message', body, clientId });
  }

  private async upload(f: File): Promise<void> {
    const data = new FormData();
    data.append('file', f);
    try {
      await api('/api/v1/chat/visitor/files', { method: 'POST', headers: { 'x-chat-token': this.stored!.token }, body: data });
    } catch (e) {
      this.status.textContent = `The file was not sent: ${(e as Error).message}`;
    }
  }

  private connect(): void {
    const url = `${base.replace(/^http/, 'ws')}/api/v1/chat/visitor/ws?token=${encodeURIComponent(this.stored!.token)}&after=${this.lastSeq}`;
    const ws = new WebSocket(url);
    this.socket = ws;
    this.status.textContent = 'Connecting…';
    ws.onopen = () => {
      this.retry = 0;
      // Lines typed while the connection was down go now; the server keeps each clientId once.
      for (const [clientId, body] of this.pending) this.frame({ type: 'message', body, clientId });
      if (this.leaving) this.frame({ type: 'leave' });
    };
    ws.onmessage = (ev) => this.receive(JSON.parse(String(ev.data)) as VisitorServerFrame);
    ws.onclose = (ev) => {
      this.socket = null;
      if (this.ended) return;
      if (ev.code === 4401) return this.forget();
      this.status.textContent = 'Connection lost; reconnecting…';
      this.retry = Math.min(this.retry + 1, 6);
      setTimeout(() => this.connect(), 500 * 2 ** (this.retry - 1));
    };
  }

  private receive(f: VisitorServerFrame): void {
    switch (f.type) {
      case 'welcome':
        for (const m of f.messages) this.show(m);
        return this.showStatus(f.status, f.agentName);
      case 'message':
        return this.show(f.message);
      case 'typing':
        this.typing.textContent = f.on ? `${f.name || 'Agent'} is typing…` : '';
        return;
      case 'status':
        return this.showStatus(f.status, f.agentName);
      case 'error':
        this.status.textContent = f.message;
        return;
      case 'pong':
        return;
    }
  }

  private showStatus(status: string, agentName: string | null): void {
    if (status === 'waiting') this.status.textContent = 'Waiting for an agent…';
    else if (status === 'active') this.status.textContent = `Chatting with ${agentName ?? 'an agent'}`;
    else {
      this.status.textContent = 'This chat has ended. Thank you!';
      this.ended = true;
      this.typing.textContent = '';
      this.footer.replaceChildren();
      localStorage.removeItem(storeKey);
      this.socket?.close();
    }
  }

  private show(m: ChatMessageResponse): void {
    if (m.seq <= this.lastSeq) return;
    this.lastSeq = m.seq;
    if (m.clientId && this.pending.delete(m.clientId)) this.body.querySelector(`[data-client-id="${m.clientId}"]`)?.remove();
    const text = m.attachment ? `${m.attachment.filename} (${Math.ceil(m.attachment.size / 1024)} KB)` : m.body;
    const line =
      m.author === 'system'
        ? el('p', { class: 'msg system' }, m.body)
        : el('p', { class: `msg ${m.author}`, 'data-seq': String(m.seq) }, el('span', { class: 'who' }, m.author === 'visitor' ? 'You' : m.authorName), text);
    if (m.author === 'agent') this.typing.textContent = '';
    // A resent line may be shown before older pending ones: pending lines stay last.
    const firstPending = this.body.querySelector('.pending');
    this.body.insertBefore(line, firstPending);
    this.scroll();
  }

  private scroll(): void {
    this.body.scrollTop = this.body.scrollHeight;
  }

  private forget(): void {
    localStorage.removeItem(storeKey);
    this.stored = null;
    this.lastSeq = 0;
    this.pending.clear();
    this.status.textContent = 'This chat is no longer available.';
    if (this.config?.online) this.showPreChat();
    else this.showOffline();
  }
}

if (document.body) new ChatWidget();
else document.addEventListener('DOMContentLoaded', () => new ChatWidget());
