import type { CsatScale } from '../../../contracts/csat.js';
import { ratingLabel, scaleOptions } from './csat-links.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>body{margin:0;background:#f6f7f9;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328}main{max-width:520px;margin:48px auto;background:#fff;border-radius:8px;padding:24px 28px;border-top:4px solid #1f6feb}
h1{font-size:20px;margin:0 0 12px}fieldset{border:0;padding:0;margin:12px 0}label{margin-right:12px;white-space:nowrap}textarea{width:100%;box-sizing:border-box;min-height:90px;font:inherit;padding:8px}button{margin-top:12px;padding:8px 16px;font:inherit;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff}.muted{color:#57606a;font-size:14px}</style>
</head><body><main>${body}</main></body></html>`;
}

export interface PageState {
  number: number;
  subject: string;
  scale: CsatScale;
  rating: number | null;
  comment: string | null;
  changeableUntil?: string | undefined;
}

/** The page a rating link opens: thanks (when rated), the choice of rating and an optional comment. */
export function ratingPage(s: PageState, action: string, saved: boolean): string {
  const options = scaleOptions(s.scale)
    .map((o) => `<label><input type="radio" name="rating" value="${o.value}"${o.value === s.rating ? ' checked' : ''} required> ${esc(o.label)}</label>`)
    .join('');
  const head = s.rating === null
    ? `<h1>How did we do?</h1><p>Request #${s.number} &ldquo;${esc(s.subject)}&rdquo;</p>`
    : `<h1>${saved ? 'Thank you for your feedback!' : 'Your rating'}</h1><p>You rated request #${s.number} &ldquo;${esc(s.subject)}&rdquo;: <strong data-rating="${s.rating}">${esc(ratingLabel(s.scale, s.rating))}</strong>.</p>`;
  const until = s.changeableUntil ? `<p class="muted">You can change your rating until ${esc(s.changeableUntil.slice(0, 16).replace('T', ' '))} UTC.</p>` : '';
  return page(
    'Rate our support',
    `${head}<form method="post" action="${esc(action)}"><fieldset><legend>Rating</legend>${options}</fieldset>
<label for="comment">Anything you would like to add? (optional)</label><textarea id="comment" name="comment" maxlength="5000">${esc(s.comment ?? '')}</textarea>
<button type="submit">Send</button></form>${until}`,
  );
}

export function errorPage(message: string): string {
  return page('Rate our support', `<h1>Sorry</h1><p>${esc(message)}</p>`);
}
