import { Liquid } from 'liquidjs';
import type { CsatScale } from '../../../contracts/csat.js';
import { invalidField } from '../../platform/errors.js';
import { refuseFileTags } from '../../platform/liquid-sandbox.js';

// Admin-written templates: no file access (file tags refused on save), own properties only,
// bounded work (as customer mail).
const OPTIONS = { templates: {}, strictFilters: true, ownPropertyOnly: true, parseLimit: 200_000, renderLimit: 2_000, memoryLimit: 20_000_000 };
const htmlEngine = refuseFileTags(new Liquid({ ...OPTIONS, outputEscape: 'escape' }));
const textEngine = refuseFileTags(new Liquid(OPTIONS));

export const DEFAULT_SUBJECT = 'How did we do? {{ ticket.subject }} [#{{ ticket.number }}]';
export const DEFAULT_HTML = `<p>Hello {{ customer.first_name | default: "there" }},</p>
<p>Your request <strong>#{{ ticket.number }} &ldquo;{{ ticket.subject }}&rdquo;</strong> was resolved. How satisfied are you with the help you got?</p>
<p>{% for r in ratings %}<a href="{{ r.url }}" style="display:inline-block;margin:4px;padding:10px 16px;border-radius:6px;background:{{ brand.colour }};color:#ffffff;text-decoration:none">{{ r.label }}</a>{% endfor %}</p>
<p style="color:#57606a;font-size:13px">One click records your answer; you can add a comment on the page that opens. The links work until {{ expires_at | date: "%B %-d, %Y", "UTC" }}.</p>
<p>{{ brand.name | default: mailbox.display_name }}</p>`;

export interface SurveyVars {
  ticket: { number: number; subject: string };
  customer: { name: string };
  mailbox: { displayName: string; brand: { name: string; colour: string } };
  ratings: { value: number; label: string; url: string }[];
  expiresAt: string;
  scale: CsatScale;
}

const vars = (v: SurveyVars) => ({
  ticket: v.ticket,
  customer: { name: v.customer.name, first_name: v.customer.name.trim().split(/\s+/)[0] ?? '' },
  mailbox: { display_name: v.mailbox.displayName },
  brand: { name: v.mailbox.brand.name, colour: v.mailbox.brand.colour },
  ratings: v.ratings,
  expires_at: v.expiresAt,
  scale: v.scale,
});

/** Refuses a template that does not parse, naming the field. */
export function checkTemplate(field: string, source: string): void {
  try {
    htmlEngine.parse(source);
  } catch (err) {
    throw invalidField(field, `the Liquid template does not parse: ${(err as Error).message}`);
  }
}

/** Subject, HTML and a plain-text rendering that lists each rating with its link. */
export async function renderSurvey(t: { subject: string | null; html: string | null }, v: SurveyVars): Promise<{ subject: string; html: string; text: string }> {
  const data = vars(v);
  const render = async (subject: string, html: string) => ({
    subject: (await textEngine.parseAndRender(subject, data)).replace(/\s+/g, ' ').trim(),
    html: await htmlEngine.parseAndRender(html, data),
  });
  // A template that fails at run time falls back to the built-in one: the survey still goes out.
  const out = await render(t.subject ?? DEFAULT_SUBJECT, t.html ?? DEFAULT_HTML).catch(() => render(DEFAULT_SUBJECT, DEFAULT_HTML));
  const text = [
    `Hello ${data.customer.first_name || 'there'},`,
    '',
    `Your request #${v.ticket.number} "${v.ticket.subject}" was resolved. How satisfied are you with the help you got?`,
    '',
    ...v.ratings.map((r) => `${r.label}: ${r.url}`),
    '',
    `One click records your answer. The links work until ${v.expiresAt.slice(0, 10)}.`,
  ].join('\n');
  return { ...out, text };
}
