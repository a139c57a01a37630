import type { FormSettings } from '../../../../contracts/forms.js';
import type { FormField } from './form.service.js';

/** The contact form as plain server-rendered HTML: no script, works with keyboard and screen readers, light. */

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const TYPE_LABELS: Record<string, string> = {
  question: 'A question',
  incident: 'Something is not working',
  problem: 'A recurring problem',
  feature_request: 'A suggestion',
  complaint: 'A complaint',
  task: 'A request for us to do something',
  other: 'Something else',
};

export interface FormPageState {
  settings: FormSettings;
  type: string;
  fields: FormField[];
  stamp: string;
  mailbox: string | undefined;
  embed: boolean;
  values: Record<string, string[]>;
  errors: { path: string; message: string }[];
  /** A refusal that is about the whole form (spam defences, rate limit). */
  notice: string | null;
  hadFiles: boolean;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;color:#1c2430;background:#f6f7f9;margin:0}
main{max-width:640px;margin:0 auto;padding:24px 16px}
h1{font-size:24px;margin:0 0 8px}
form{display:flex;flex-direction:column;gap:14px;background:#fff;border:1px solid #d5dbe3;border-radius:10px;padding:20px}
label,legend{font-weight:600;display:block;margin-bottom:4px}
input[type=text],input[type=email],input[type=number],input[type=date],select,textarea{font:inherit;width:100%;box-sizing:border-box;padding:8px;border:1px solid #9aa5b4;border-radius:6px}
textarea{min-height:140px}
fieldset{border:0;padding:0;margin:0}
.hint{font-size:14px;color:#4a5565;margin:2px 0 0}
.err{color:#b00020;font-size:14px;margin:4px 0 0}
[aria-invalid=true]{border-color:#b00020!important}
.summary{border:2px solid #b00020;border-radius:8px;padding:12px;background:#fff5f6}
.summary h2{font-size:17px;margin:0 0 6px}
.types{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px;padding:0;list-style:none}
.types a{display:inline-block;padding:4px 10px;border:1px solid #9aa5b4;border-radius:14px;color:#1c2430;text-decoration:none}
.types a[aria-current=page]{background:#2456c7;color:#fff;border-color:#2456c7}
button{font:inherit;font-weight:600;background:#2456c7;color:#fff;border:0;border-radius:6px;padding:10px 16px;cursor:pointer;align-self:flex-start}
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
:focus-visible{outline:3px solid #f0a000;outline-offset:2px}`;

export function pageShell(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function query(state: FormPageState, type: string): string {
  const p = new URLSearchParams({ type });
  if (state.mailbox) p.set('mailbox', state.mailbox);
  if (state.embed) p.set('embed', '1');
  return `/support/new?${p.toString()}`;
}

export function renderFormPage(state: FormPageState): string {
  const v = (k: string) => esc(state.values[k]?.[0] ?? '');
  const errOf = (path: string) => state.errors.find((e) => e.path === path)?.message;
  const attrs = (id: string, path: string) => {
    const e = errOf(path);
    return `id="${id}" name="${id}"${e ? ` aria-invalid="true" aria-describedby="${id}-err"` : ''}`;
  };
  const errLine = (id: string, path: string) => {
    const e = errOf(path);
    return e ? `<p class="err" id="${id}-err">${esc(e)}</p>` : '';
  };
  const summary =
    state.notice || state.errors.length
      ? `<div class="summary" role="alert" tabindex="-1" id="problems"><h2>${state.notice ? esc(state.notice) : 'Please check the form'}</h2>${
          state.errors.length ? `<ul>${state.errors.map((e) => `<li><a href="#${esc(e.path.replace('customFields.', 'cf_'))}">${esc(e.message)}</a></li>`).join('')}</ul>` : ''
        }${state.hadFiles ? '<p>Your text was kept. For your security, attach your files again.</p>' : ''}</div>`
      : '';
  const types =
    state.settings.types.length > 1
      ? `<nav aria-label="What is your request about?"><ul class="types">${state.settings.types
          .map((t) => `<li><a href="${esc(query(state, t))}"${t === state.type ? ' aria-current="page"' : ''}>${esc(TYPE_LABELS[t] ?? t)}</a></li>`)
          .join('')}</ul></nav>`
      : '';
  const custom = state.fields.map((f) => customField(f, state, errOf(`customFields.${f.key}`))).join('');
  const action = esc(query(state, state.type));
  return pageShell(
    state.settings.title,
    `<h1>${esc(state.settings.title)}</h1><p>${esc(state.settings.intro)}</p>${summary}${types}
<form method="post" action="${action}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="stamp" value="${esc(state.stamp)}"><input type="hidden" name="type" value="${esc(state.type)}">
<div class="trap" aria-hidden="true"><label for="website">Leave this field empty</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
<div><label for="name">Your name</label><input type="text" ${attrs('name', 'name')} autocomplete="name" required value="${v('name')}">${errLine('name', 'name')}</div>
<div><label for="email">Your email</label><input type="email" ${attrs('email', 'email')} autocomplete="email" required value="${v('email')}"><p class="hint">We send our answer and a confirmation here.</p>${errLine('email', 'email')}</div>
<div><label for="subject">Subject</label><input type="text" ${attrs('subject', 'subject')} required maxlength="500" value="${v('subject')}">${errLine('subject', 'subject')}</div>
<div><label for="message">How can we help?</label><textarea ${attrs('message', 'message')} required>${v('message')}</textarea>${errLine('message', 'message')}</div>
${custom}
<div><label for="files">Attachments (optional, up to 5 files)</label><input type="file" ${attrs('files', 'files')} multiple>${errLine('files', 'files')}</div>
<button type="submit">Send request</button>
</form>`,
  );
}

function customField(f: FormField, state: FormPageState, error: string | undefined): string {
  const id = `cf_${f.key}`;
  const values = state.values[id] ?? [];
  const invalid = error ? ` aria-invalid="true" aria-describedby="${id}-err"` : '';
  const req = f.required ? ' required' : '';
  const label = `${esc(f.label)}${f.required ? '' : ' (optional)'}`;
  const err = error ? `<p class="err" id="${id}-err">${esc(error)}</p>` : '';
  const first = esc(values[0] ?? '');
  switch (f.type) {
    case 'dropdown':
      return `<div><label for="${id}">${label}</label><select id="${id}" name="${id}"${invalid}${req}><option value="">Choose…</option>${f.options
        .map((o) => `<option${values.includes(o) ? ' selected' : ''}>${esc(o)}</option>`)
        .join('')}</select>${err}</div>`;
    case 'multi_select':
      return `<fieldset id="${id}"${invalid}><legend>${label}</legend>${f.options
        .map((o, i) => `<div><input type="checkbox" id="${id}_${i}" name="${id}" value="${esc(o)}"${values.includes(o) ? ' checked' : ''}> <label for="${id}_${i}" style="display:inline;font-weight:400">${esc(o)}</label></div>`)
        .join('')}${err}</fieldset>`;
    case 'checkbox':
      return `<div><input type="checkbox" id="${id}" name="${id}" value="yes"${values.length ? ' checked' : ''}${invalid}> <label for="${id}" style="display:inline">${label}</label>${err}</div>`;
    case 'number':
      return `<div><label for="${id}">${label}</label><input type="number" step="any" id="${id}" name="${id}" value="${first}"${invalid}${req}>${err}</div>`;
    case 'date':
      return `<div><label for="${id}">${label}</label><input type="date" id="${id}" name="${id}" value="${first}"${invalid}${req}>${err}</div>`;
    default:
      return `<div><label for="${id}">${label}</label><input type="text" id="${id}" name="${id}" value="${first}"${invalid}${req}>${err}</div>`;
  }
}

export function renderThanks(title: string, ticketNumber: number, email: string): string {
  return pageShell(
    title,
    `<h1>Thank you</h1><div role="status"><p>We received your request as <strong>ticket #${ticketNumber}</strong>.</p><p>A confirmation is on its way to <strong>${esc(email)}</strong>; we will answer there.</p></div>`,
  );
}

/** `<script src=".../support/embed.js" data-type="question" data-mailbox="...">` puts the form in a frame where the script stands. */
export function embedScript(): string {
  return `(function(){var s=document.currentScript;if(!s)return;var u=new URL('/support/new',s.src);u.searchParams.set('embed','1');if(s.dataset.type)u.searchParams.set('type',s.dataset.type);if(s.dataset.mailbox)u.searchParams.set('mailbox',s.dataset.mailbox);var f=document.createElement('iframe');f.src=u.toString();f.title='Contact form';f.style.cssText='width:100%;max-width:680px;height:'+(s.dataset.height||'980')+'px;border:0';s.parentNode.insertBefore(f,s.nextSibling);})();`;
}
