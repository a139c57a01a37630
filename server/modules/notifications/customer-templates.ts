import type { CustomerTemplateKey } from '../../../contracts/customer-notifications.js';

export interface TemplateText {
  subject: string;
  html: string;
  text: string;
}

const brandName = '{{ brand.name | default: mailbox.display_name }}';
const greeting = 'Hello {{ customer.first_name | default: customer.name | default: "there" }},';

/**
 * The built-in customer mail. Admins replace any of them (the stored copy wins) and can reset
 * to these. Output in the HTML templates is escaped unless piped through `| raw`; only the
 * already-sanitised message bodies and the layout's `content` are.
 */
export const DEFAULT_TEMPLATES: Record<CustomerTemplateKey, TemplateText> = {
  layout: {
    subject: '',
    html: `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ subject }}</title></head>
<body style="margin:0;padding:0;background:#f6f7f9;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f6f7f9"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-top:4px solid {{ brand.colour }};border-radius:6px">
<tr><td style="padding:10px 24px 0;color:#8c959f;font-size:12px">{{ reply_marker }}</td></tr>
{% if brand.logo_url %}<tr><td style="padding:16px 24px 0"><img src="{{ brand.logo_url }}" alt="{{ brand.name | default: mailbox.display_name }}" height="40" style="height:40px;border:0"></td></tr>{% endif %}
<tr><td style="padding:16px 24px;font-size:15px;line-height:1.55">{{ content | raw }}</td></tr>
{% if brand.signature != blank %}<tr><td style="padding:0 24px 16px;color:#57606a;font-size:14px;white-space:pre-line">{{ brand.signature }}</td></tr>{% endif %}
<tr><td style="padding:12px 24px;border-top:1px solid #eaeef2;color:#8c959f;font-size:12px">${brandName} &middot; Ticket [#{{ ticket.number }}] &middot; <span style="color:{{ brand.colour }}">{{ mailbox.address }}</span></td></tr>
</table></td></tr></table>
</body></html>
`,
    text: `{{ reply_marker }}

{{ content }}
{% if brand.signature != blank %}
-- 
{{ brand.signature }}
{% endif %}
${brandName} - Ticket [#{{ ticket.number }}]
`,
  },
  acknowledgement: {
    subject: 'We received your request: {{ ticket.subject }} [#{{ ticket.number }}]',
    html: `<p>${greeting}</p>
<p>Thank you for contacting ${brandName}. We received your request <strong>&ldquo;{{ ticket.subject }}&rdquo;</strong> and gave it the number <strong>#{{ ticket.number }}</strong>.</p>
<p>We will answer as soon as we can. To add anything, simply reply to this email.</p>`,
    text: `${greeting}

Thank you for contacting ${brandName}. We received your request "{{ ticket.subject }}" and gave it the number #{{ ticket.number }}.

We will answer as soon as we can. To add anything, simply reply to this email.`,
  },
  reply: {
    subject: 'Re: {{ ticket.subject }} [#{{ ticket.number }}]',
    html: `{{ message.html | raw }}
{% case ticket.status %}{% when 'waiting' %}<p style="color:#57606a">We are waiting for your answer; just reply to this email.</p>{% when 'resolved' %}<p style="color:#57606a">We consider this request resolved. If something is still not right, reply to this email and it reopens.</p>{% endcase %}
{% if agent.name != blank %}<p>{{ agent.name }}<br>${brandName}</p>{% endif %}
{% if previous %}<div style="margin-top:24px;color:#57606a;font-size:13px">On {{ previous.date | date: "%B %-d, %Y %H:%M UTC", "UTC" }}, {{ previous.author }} wrote:</div>
<blockquote style="margin:4px 0 0;padding:0 0 0 12px;border-left:3px solid #d0d7de;color:#57606a">{{ previous.html | raw }}</blockquote>{% endif %}`,
    text: `{{ message.text }}
{% case ticket.status %}{% when 'waiting' %}
We are waiting for your answer; just reply to this email.
{% when 'resolved' %}
We consider this request resolved. If something is still not right, reply to this email and it reopens.
{% endcase %}{% if agent.name != blank %}
{{ agent.name }}
${brandName}
{% endif %}{% if previous %}
On {{ previous.date | date: "%B %-d, %Y %H:%M UTC", "UTC" }}, {{ previous.author }} wrote:
{{ previous.text | quote }}
{% endif %}`,
  },
  status_waiting: {
    subject: 'We need your answer: {{ ticket.subject }} [#{{ ticket.number }}]',
    html: `<p>${greeting}</p>
<p>Your request <strong>#{{ ticket.number }} &ldquo;{{ ticket.subject }}&rdquo;</strong> is waiting for your answer. Please reply to this email with the information we asked for, so we can carry on.</p>`,
    text: `${greeting}

Your request #{{ ticket.number }} "{{ ticket.subject }}" is waiting for your answer. Please reply to this email with the information we asked for, so we can carry on.`,
  },
  status_resolved: {
    subject: 'Your request is resolved: {{ ticket.subject }} [#{{ ticket.number }}]',
    html: `<p>${greeting}</p>
<p>Your request <strong>#{{ ticket.number }} &ldquo;{{ ticket.subject }}&rdquo;</strong> has been resolved.</p>
<p>If something is still not right, reply to this email and the request reopens.</p>`,
    text: `${greeting}

Your request #{{ ticket.number }} "{{ ticket.subject }}" has been resolved.

If something is still not right, reply to this email and the request reopens.`,
  },
  status_closed: {
    subject: 'Your request is closed: {{ ticket.subject }} [#{{ ticket.number }}]',
    html: `<p>${greeting}</p>
<p>Your request <strong>#{{ ticket.number }} &ldquo;{{ ticket.subject }}&rdquo;</strong> is now closed.</p>
<p>If you need more help, reply to this email and we will open a follow-up request.</p>`,
    text: `${greeting}

Your request #{{ ticket.number }} "{{ ticket.subject }}" is now closed.

If you need more help, reply to this email and we will open a follow-up request.`,
  },
};

const COMMON_VARIABLES = [
  'ticket.number', 'ticket.subject', 'ticket.status', 'ticket.priority', 'ticket.type', 'ticket.channel', 'ticket.created_at', 'ticket.custom_fields.<key>',
  'customer.name', 'customer.first_name', 'customer.email', 'agent.name', 'mailbox.address', 'mailbox.display_name',
  'brand.name', 'brand.logo_url', 'brand.colour', 'brand.signature', 'helpdesk.name', 'reply_marker',
];

export function templateVariables(key: CustomerTemplateKey): string[] {
  if (key === 'layout') return ['content', 'subject', ...COMMON_VARIABLES];
  if (key === 'reply') return [...COMMON_VARIABLES, 'message.html', 'message.text', 'previous.author', 'previous.date', 'previous.html', 'previous.text'];
  return COMMON_VARIABLES;
}
