import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import type { CustomerTemplate, Mailbox, RenderedPreview } from './admin-types.js';
import { MailSwitchesAdmin } from './mail-switches-admin.js';
import { TEMPLATE_LABEL } from './template-labels.js';
import { FormError } from './form-error.js';

/** Customer mail (admins): the Liquid templates with a preview, and which mails are sent. */
export function TemplatesAdmin({ canEdit }: { canEdit: boolean }) {
  const list = useQuery({ queryKey: ['customer-templates'], queryFn: () => api.get<{ items: CustomerTemplate[] }>('/api/v1/customer-notifications/templates').then((r) => r.items), enabled: canEdit });
  const mailboxes = useQuery({ queryKey: ['mailboxes'], queryFn: () => api.get<{ items: Mailbox[] }>('/api/v1/mailboxes').then((r) => r.items), enabled: canEdit });
  const [key, setKey] = useState<CustomerTemplate['key']>('acknowledgement');
  if (!canEdit) return null;
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} />;
  const current = list.data.find((x) => x.key === key) ?? list.data[0]!;
  return (
    <section className="stack">
      <nav className="tabs" aria-label={t('templates.title')}>
        {list.data.map((x) => (
          <button key={x.key} type="button" className={x.key === current.key ? 'tab active' : 'tab'} aria-pressed={x.key === current.key} onClick={() => setKey(x.key)}>
            {t(TEMPLATE_LABEL[x.key])}{x.customized ? ' *' : ''}
          </button>
        ))}
      </nav>
      <TemplateEditor key={`${current.key}:${current.updatedAt ?? ''}`} template={current} mailboxes={mailboxes.data ?? []} />
      <h2>{t('templates.switches')}</h2>
      <MailSwitchesAdmin mailboxes={mailboxes.data ?? []} />
    </section>
  );
}

function TemplateEditor({ template, mailboxes }: { template: CustomerTemplate; mailboxes: Mailbox[] }) {
  const qc = useQueryClient();
  const [subject, setSubject] = useState(template.subject);
  const [html, setHtml] = useState(template.html);
  const [text, setText] = useState(template.text);
  const [mailboxId, setMailboxId] = useState('');
  const [ticketNumber, setTicketNumber] = useState('');
  const path = `/api/v1/customer-notifications/templates/${template.key}`;
  const saved = (next: CustomerTemplate) => {
    qc.setQueryData<CustomerTemplate[]>(['customer-templates'], (l) => l?.map((x) => (x.key === next.key ? next : x)));
    toast(t('common.saved'));
  };
  const save = useMutation({ mutationFn: () => api.put<CustomerTemplate>(path, { subject, html, text }), onSuccess: saved });
  const reset = useMutation({ mutationFn: () => api.delete<CustomerTemplate>(path), onSuccess: saved, onError: (e) => toastError(e) });
  const preview = useMutation({
    mutationFn: () => api.post<RenderedPreview>(`${path}/preview`, { subject, html, text, ...(mailboxId ? { mailboxId } : {}), ...(ticketNumber ? { ticketNumber: Number(ticketNumber) } : {}) }),
  });
  const isLayout = template.key === 'layout';
  return (
    <div className="stack">
      <p className="hint">{template.customized ? t('templates.customized') : t('templates.builtIn')} {t('templates.variables')} {template.variables.map((v) => <code key={v} className="tag">{`{{ ${v} }}`}</code>)}</p>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {!isLayout && <label className="field"><span>{t('templates.subject')}</span><input value={subject} onChange={(e) => setSubject(e.target.value)} /></label>}
        <label className="field"><span>{t('templates.html')}</span><textarea className="code-area" rows={12} value={html} onChange={(e) => setHtml(e.target.value)} required /></label>
        <label className="field"><span>{t('templates.text')}</span><textarea className="code-area" rows={6} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('templates.textEmpty')} /></label>
        <FormError error={save.error} />
        <div className="toolbar">
          <button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button>
          {template.customized && <button type="button" className="button" onClick={() => reset.mutate()} disabled={reset.isPending}>{t('templates.reset')}</button>}
        </div>
      </form>
      <fieldset className="stack">
        <legend>{t('templates.preview')}</legend>
        <div className="form-grid">
          <label className="field">
            <span>{t('templates.previewMailbox')}</span>
            <select value={mailboxId} onChange={(e) => setMailboxId(e.target.value)}>
              <option value="">{t('templates.firstMailbox')}</option>
              {mailboxes.map((m) => <option key={m.id} value={m.id}>{m.address}</option>)}
            </select>
          </label>
          <label className="field"><span>{t('templates.previewTicket')}</span><input type="number" min={1} value={ticketNumber} onChange={(e) => setTicketNumber(e.target.value)} placeholder={t('templates.sampleData')} /></label>
          <button type="button" className="button" onClick={() => preview.mutate()} disabled={preview.isPending}>{t('templates.showPreview')}</button>
        </div>
        <FormError error={preview.error} />
        {preview.data && <PreviewPane preview={preview.data} />}
      </fieldset>
    </div>
  );
}

function PreviewPane({ preview }: { preview: RenderedPreview }) {
  const from = preview.from ? `${preview.from.name} <${preview.from.address}>` : '—';
  return (
    <div className="stack" data-testid="template-preview">
      <dl className="facts-grid">
        <dt>{t('templates.from')}</dt><dd>{from}</dd>
        <dt>{t('templates.subject')}</dt><dd data-preview="subject">{preview.subject}</dd>
      </dl>
      {/* Sandboxed without scripts: the preview is the customer's HTML, not part of the workspace. */}
      <iframe className="preview-frame" title={t('templates.previewHtml')} sandbox="" srcDoc={preview.html} />
      <details>
        <summary>{t('templates.previewText')}</summary>
        <pre className="raw-mail" data-preview="text">{preview.text}</pre>
      </details>
    </div>
  );
}
