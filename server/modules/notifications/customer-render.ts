import { convert } from 'html-to-text';
import { Liquid, type LiquidOptions } from 'liquidjs';
import { invalidField } from '../../platform/errors.js';
import { refuseFileTags } from '../../platform/liquid-sandbox.js';
import { headerText } from '../../platform/mail/mail-composer.js';
import type { TemplateText } from './customer-templates.js';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

// Admin-written templates run in the server: no file access (an empty in-memory partials map, and
// {% include %}, {% render %}, {% layout %} refused on save), own properties only, bounded time and memory.
const OPTIONS: LiquidOptions = {
  templates: {},
  strictFilters: true,
  ownPropertyOnly: true,
  parseLimit: 400_000,
  renderLimit: 2_000,
  memoryLimit: 50_000_000,
  timezoneOffset: 0,
};

const quote = (v: unknown): string =>
  String(v ?? '')
    .split(/\r?\n/)
    .map((l) => `> ${l}`)
    .join('\n');

function engine(escapeHtml: boolean): Liquid {
  const e = refuseFileTags(new Liquid({ ...OPTIONS, ...(escapeHtml ? { outputEscape: 'escape' as const } : {}) }));
  e.registerFilter('quote', quote);
  return e;
}

const htmlEngine = engine(true);
const textEngine = engine(false);

export const htmlToText = (html: string): string =>
  convert(html, { wordwrap: 78, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { hideLinkHrefIfSameAsText: true } }, { selector: 'title', format: 'skip' }] }).trim();

const tidyText = (s: string): string =>
  s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** Parses each part so a broken template is refused when saved, with the field and Liquid's reason. */
export function checkTemplate(t: Partial<TemplateText>, prefix = ''): void {
  for (const field of ['subject', 'html', 'text'] as const) {
    const source = t[field];
    if (source === undefined) continue;
    try {
      (field === 'html' ? htmlEngine : textEngine).parse(source);
    } catch (err) {
      throw invalidField(`${prefix}${field}`, `is not a valid Liquid template: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
}

/**
 * Renders one customer mail: the occasion's template, then the layout around it. HTML output
 * is escaped (only `| raw` passes markup through); the subject is a single clean header line;
 * the text alternative always exists (made from the HTML when the template leaves it empty).
 */
export async function renderCustomerMail(layout: TemplateText, body: TemplateText, vars: Record<string, unknown>): Promise<RenderedMail> {
  const subject = headerText(await textEngine.parseAndRender(body.subject, vars));
  const contentHtml = await htmlEngine.parseAndRender(body.html, vars);
  const contentText = body.text.trim() ? await textEngine.parseAndRender(body.text, vars) : htmlToText(contentHtml);
  const html = await htmlEngine.parseAndRender(layout.html, { ...vars, subject, content: contentHtml });
  const text = layout.text.trim() ? await textEngine.parseAndRender(layout.text, { ...vars, subject, content: tidyText(contentText) }) : htmlToText(html);
  return { subject, html, text: tidyText(text) };
}
