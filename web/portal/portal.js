// The customer portal: a small page without a build step. It holds no data of its own and
// talks only to /api/v1/portal (its own cookie and CSRF token, separate from agents' sessions).
// Every text from the server is written with textContent, never as HTML.

const API = '/api/v1/portal';
const main = document.getElementById('main');
const statusRegion = document.getElementById('status');
const mailboxParam = new URLSearchParams(location.search).get('mailbox');
let me = null;
let scope = 'mine';

const STATUS_LABELS = { open: 'Open', in_progress: 'In progress', waiting: 'Waiting for you', resolved: 'Resolved', closed: 'Closed' };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

function announce(text) {
  statusRegion.textContent = '';
  // A fresh node each time so screen readers repeat the same message.
  setTimeout(() => (statusRegion.textContent = text), 50);
}

function show(title, ...content) {
  main.replaceChildren(el('h1', { id: 'page-title' }, title), ...content);
  document.title = `${title} · ${document.getElementById('brand-name').textContent}`;
  main.focus();
}

async function api(path, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (opts.method && opts.method !== 'GET' && me) headers['x-csrf-token'] = me.csrfToken;
  const res = await fetch(`${API}${path}`, { method: opts.method ?? 'GET', headers, body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body, credentials: 'same-origin' });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error(data?.error?.message ?? `Request failed (${res.status})`);
    err.status = res.status;
    err.code = data?.error?.code;
    throw err;
  }
  return data;
}

const when = (iso) => new Date(iso).toLocaleString();

async function loadBrand() {
  try {
    const brand = await api(`/brand${mailboxParam ? `?mailbox=${encodeURIComponent(mailboxParam)}` : ''}`);
    document.getElementById('brand-name').textContent = `${brand.name} support`;
    if (/^#[0-9a-f]{6}$/i.test(brand.colour)) document.documentElement.style.setProperty('--brand', brand.colour);
    const logo = document.getElementById('brand-logo');
    if (brand.logoUrl) {
      logo.src = brand.logoUrl;
      logo.alt = `${brand.name} logo`;
      logo.hidden = false;
    }
  } catch {
    /* the default look is fine */
  }
}

function errorText(err) {
  return el('p', { class: 'error', role: 'alert' }, err.message);
}

function signInForm(note) {
  const email = el('input', { type: 'email', id: 'email', name: 'email', required: true, autocomplete: 'email' });
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'page-title' },
    note ? el('p', { class: 'error', role: 'alert' }, note) : null,
    el('p', {}, 'Enter the email address you write to us from. We will mail you a link that signs you in.'),
    el('label', { for: 'email' }, 'Email address'),
    email,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Email me a sign-in link')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('/sign-in-link', { method: 'POST', json: { email: email.value, ...(mailboxParam ? { mailboxId: mailboxParam } : {}) } });
      show('Check your mail', el('p', { class: 'card' }, `If ${email.value} is an address we can write to, a sign-in link is on its way. It works once and expires soon.`));
      announce('Sign-in link sent');
    } catch (err) {
      form.prepend(errorText(err));
    }
  });
  show('Sign in to the support portal', form);
}

function setAccount() {
  const nav = document.getElementById('account');
  nav.hidden = !me;
  document.getElementById('who').textContent = me ? me.name || me.email : '';
}

async function listView() {
  let items;
  try {
    items = (await api(`/tickets?scope=${scope}`)).items;
  } catch (err) {
    return handleError(err);
  }
  const tabs = me.canSeeOrganization
    ? el(
        'div',
        { class: 'tabs', role: 'group', 'aria-label': 'Whose requests' },
        el('button', { type: 'button', 'aria-pressed': String(scope === 'mine'), onclick: () => ((scope = 'mine'), void listView()) }, 'My requests'),
        el('button', { type: 'button', 'aria-pressed': String(scope === 'organization'), onclick: () => ((scope = 'organization'), void listView()) }, `${me.organization ?? 'Organization'} requests`),
      )
    : null;
  const list = items.length
    ? el(
        'ul',
        { class: 'tickets', 'aria-label': 'Requests' },
        items.map((t) =>
          el(
            'li',
            {},
            el(
              'a',
              { href: `#/tickets/${t.number}` },
              el('span', {}, el('strong', {}, `#${t.number} `), t.subject, el('br'), el('span', { class: 'meta' }, `Updated ${when(t.updatedAt)}`)),
              el('span', { class: 'status' }, STATUS_LABELS[t.status] ?? t.status),
            ),
          ),
        ),
      )
    : el('p', { class: 'card' }, 'No requests yet.');
  show('Your requests', tabs, el('div', { class: 'actions' }, el('a', { href: '#/new' }, 'Open a new request')), el('div', { class: 'card' }, list));
}

async function uploadAll(input) {
  const ids = [];
  for (const file of input.files ?? []) {
    const body = new FormData();
    body.append('file', file, file.name);
    const a = await api('/uploads', { method: 'POST', body });
    ids.push(a.id);
  }
  return ids;
}

function attachmentField(id) {
  return [el('label', { for: id }, 'Attachments (optional)'), el('input', { type: 'file', id, name: 'files', multiple: true })];
}

async function ticketView(number) {
  let t;
  try {
    t = await api(`/tickets/${number}`);
  } catch (err) {
    return handleError(err);
  }
  const messages = t.messages.map((m) =>
    el(
      'article',
      { class: `message ${m.from}`, 'aria-label': `Message from ${m.authorName}` },
      el('div', { class: 'meta' }, el('strong', {}, m.authorName), ` · ${when(m.createdAt)}`),
      el('div', { class: 'body' }, m.bodyText),
      m.attachments.length
        ? el('ul', { 'aria-label': 'Attachments' }, m.attachments.map((a) => el('li', {}, el('a', { href: `${API}/attachments/${a.id}` }, a.filename))))
        : null,
    ),
  );
  const parts = [
    el('p', { class: 'meta' }, `Status: `, el('span', { class: 'status' }, STATUS_LABELS[t.status] ?? t.status), ` · Opened ${when(t.createdAt)}`),
    el('section', { 'aria-label': 'Conversation' }, messages),
  ];
  if (t.status !== 'closed') {
    const body = el('textarea', { id: 'reply', name: 'body', required: true });
    const [fileLabel, files] = attachmentField('reply-files');
    const form = el(
      'form',
      { class: 'card', 'aria-label': 'Reply' },
      el('label', { for: 'reply' }, 'Your reply'),
      body,
      fileLabel,
      files,
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Send reply'), el('button', { type: 'button', class: 'secondary', onclick: () => void closeTicket(t.number) }, 'Close this request')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const attachmentIds = await uploadAll(files);
        await api(`/tickets/${t.number}/messages`, { method: 'POST', json: { body: body.value, attachmentIds } });
        announce('Reply sent');
        await ticketView(t.number);
      } catch (err) {
        form.prepend(errorText(err));
      }
    });
    parts.push(form);
  } else {
    parts.push(el('p', { class: 'card' }, 'This request is closed. ', el('a', { href: '#/new' }, 'Open a new request'), ' if you need more help.'));
  }
  show(`#${t.number} ${t.subject}`, el('p', {}, el('a', { href: '#/' }, '← All requests')), ...parts);
}

async function closeTicket(number) {
  try {
    await api(`/tickets/${number}/close`, { method: 'POST', json: {} });
    announce('Request closed');
    await ticketView(number);
  } catch (err) {
    main.prepend(errorText(err));
  }
}

function newTicketView() {
  const subject = el('input', { type: 'text', id: 'subject', name: 'subject', required: true, maxlength: 500 });
  const body = el('textarea', { id: 'body', name: 'body', required: true });
  const [fileLabel, files] = attachmentField('new-files');
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'page-title' },
    el('label', { for: 'subject' }, 'Subject'),
    subject,
    el('label', { for: 'body' }, 'How can we help?'),
    body,
    fileLabel,
    files,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Send request'), el('a', { href: '#/' }, 'Cancel')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const attachmentIds = await uploadAll(files);
      const t = await api('/tickets', { method: 'POST', json: { subject: subject.value, body: body.value, attachmentIds } });
      announce(`Request #${t.number} opened`);
      location.hash = `#/tickets/${t.number}`;
    } catch (err) {
      form.prepend(errorText(err));
    }
  });
  show('Open a new request', form);
}

function handleError(err) {
  if (err.status === 401) {
    me = null;
    setAccount();
    return signInForm();
  }
  if (err.status === 404) return show('Not found', el('p', { class: 'card' }, 'There is no such request among yours. '), el('a', { href: '#/' }, 'All requests'));
  show('Something went wrong', errorText(err));
}

async function route() {
  if (!me) return;
  const hash = location.hash;
  const m = /^#\/tickets\/(\d+)$/.exec(hash);
  if (m) return ticketView(Number(m[1]));
  if (hash === '#/new') return newTicketView();
  return listView();
}

async function start() {
  await loadBrand();
  const token = /^#token=([\w-]+)$/.exec(location.hash)?.[1];
  if (token) {
    // Forget the token at once: it is single-use, and must not stay in history.
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    try {
      me = await api('/sign-in', { method: 'POST', json: { token } });
    } catch (err) {
      return signInForm(err.code === 'sign_in_link_invalid' ? 'This sign-in link has expired or was already used. Ask for a new one below.' : err.message);
    }
  } else {
    try {
      me = await api('/me');
    } catch {
      return signInForm();
    }
  }
  setAccount();
  window.addEventListener('hashchange', () => void route());
  await route();
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await api('/sign-out', { method: 'POST', json: {} });
  } finally {
    me = null;
    setAccount();
    signInForm();
  }
});

void start();
