import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { toast } from '../../components/toast.js';
import { api, fieldErrors } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { useGroups } from '../../lib/queries.js';
import type { Mailbox } from './admin-types.js';
import { FormError } from './form-error.js';

/** Create or change a mailbox: address, brand, default group, IMAP polling. The IMAP password is write-only. */
export function MailboxDialog({ mailbox, onClose }: { mailbox: Mailbox | null; onClose: () => void }) {
  const qc = useQueryClient();
  const groups = useGroups();
  const [f, setF] = useState(() => ({
    address: mailbox?.address ?? '',
    displayName: mailbox?.displayName ?? '',
    brandName: mailbox?.brand.name ?? '',
    logoUrl: mailbox?.brand.logoUrl ?? '',
    colour: mailbox?.brand.colour ?? '#1f6feb',
    signature: mailbox?.brand.signature ?? '',
    defaultGroupId: mailbox?.defaultGroupId ?? '',
    active: mailbox?.active ?? true,
    imapEnabled: mailbox?.imap.enabled ?? false,
    host: mailbox?.imap.host ?? '',
    port: mailbox?.imap.port ? String(mailbox.imap.port) : '',
    tls: mailbox?.imap.tls ?? true,
    tlsVerify: mailbox?.imap.tlsVerify ?? true,
    user: mailbox?.imap.user ?? '',
    password: '',
    folder: mailbox?.imap.folder ?? 'INBOX',
    keepOnServer: mailbox?.imap.keepOnServer ?? true,
  }));
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((cur) => ({ ...cur, [k]: v }));
  const body = () => ({
    address: f.address.trim(),
    displayName: f.displayName.trim(),
    brand: { name: f.brandName.trim(), logoUrl: f.logoUrl.trim() || null, colour: f.colour, signature: f.signature },
    defaultGroupId: f.defaultGroupId || null,
    active: f.active,
    imap: {
      enabled: f.imapEnabled,
      host: f.host.trim() || null,
      port: f.port ? Number(f.port) : null,
      tls: f.tls,
      tlsVerify: f.tlsVerify,
      user: f.user.trim() || null,
      folder: f.folder.trim() || 'INBOX',
      keepOnServer: f.keepOnServer,
      // Empty keeps the stored password when editing; the server never sends it back.
      ...(f.password ? { password: f.password } : mailbox ? {} : { password: null }),
    },
  });
  const save = useMutation({
    mutationFn: () => (mailbox ? api.patch<Mailbox>(`/api/v1/mailboxes/${mailbox.id}`, body()) : api.post<Mailbox>('/api/v1/mailboxes', body())),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['mailboxes'] });
      toast(t('common.saved'));
      onClose();
    },
  });
  const errs = fieldErrors(save.error);
  const err = (k: string) => (errs[k] ? <span className="form-error">{errs[k]}</span> : null);
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={mailbox ? t('mailboxes.edit', { address: mailbox.address }) : t('mailboxes.new')} wide>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <div className="form-grid">
          <label className="field"><span>{t('mailboxes.address')}</span><input type="email" value={f.address} onChange={(e) => set('address', e.target.value)} required autoFocus />{err('address')}</label>
          <label className="field"><span>{t('mailboxes.displayName')}</span><input value={f.displayName} onChange={(e) => set('displayName', e.target.value)} required />{err('displayName')}</label>
        </div>
        <fieldset className="stack">
          <legend>{t('mailboxes.brand')}</legend>
          <div className="form-grid">
            <label className="field"><span>{t('mailboxes.brandName')}</span><input value={f.brandName} onChange={(e) => set('brandName', e.target.value)} /></label>
            <label className="field"><span>{t('mailboxes.colour')}</span><input type="color" value={f.colour} onChange={(e) => set('colour', e.target.value)} />{err('colour')}</label>
          </div>
          <label className="field"><span>{t('mailboxes.logoUrl')}</span><input type="url" value={f.logoUrl} onChange={(e) => set('logoUrl', e.target.value)} placeholder="https://" />{err('logoUrl')}</label>
          <label className="field"><span>{t('mailboxes.signature')}</span><textarea rows={3} value={f.signature} onChange={(e) => set('signature', e.target.value)} /></label>
        </fieldset>
        <div className="form-grid">
          <label className="field">
            <span>{t('mailboxes.defaultGroup')}</span>
            <select value={f.defaultGroupId} onChange={(e) => set('defaultGroupId', e.target.value)}>
              <option value="">{t('mailboxes.noGroup')}</option>
              {(groups.data ?? []).map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
            </select>
          </label>
          <label className="check"><input type="checkbox" checked={f.active} onChange={(e) => set('active', e.target.checked)} />{t('mailboxes.active')}</label>
        </div>
        <fieldset className="stack">
          <legend>{t('mailboxes.imap')}</legend>
          <label className="check"><input type="checkbox" checked={f.imapEnabled} onChange={(e) => set('imapEnabled', e.target.checked)} />{t('mailboxes.imapEnabled')}</label>
          <div className="form-grid">
            <label className="field"><span>{t('mailboxes.host')}</span><input value={f.host} onChange={(e) => set('host', e.target.value)} placeholder="imap.example.com" />{err('host')}</label>
            <label className="field"><span>{t('mailboxes.port')}</span><input type="number" min={1} max={65535} value={f.port} onChange={(e) => set('port', e.target.value)} placeholder={f.tls ? '993' : '143'} />{err('port')}</label>
            <label className="field"><span>{t('mailboxes.user')}</span><input value={f.user} onChange={(e) => set('user', e.target.value)} autoComplete="off" /></label>
            <label className="field">
              <span>{t('mailboxes.password')}</span>
              <input type="password" value={f.password} onChange={(e) => set('password', e.target.value)} autoComplete="new-password" placeholder={mailbox?.imap.passwordSet ? t('mailboxes.passwordKept') : ''} />
            </label>
            <label className="field"><span>{t('mailboxes.folder')}</span><input value={f.folder} onChange={(e) => set('folder', e.target.value)} /></label>
            <label className="field">
              <span>{t('mailboxes.afterFetch')}</span>
              <select value={f.keepOnServer ? 'keep' : 'delete'} onChange={(e) => set('keepOnServer', e.target.value === 'keep')}>
                <option value="keep">{t('mailboxes.keep')}</option>
                <option value="delete">{t('mailboxes.delete')}</option>
              </select>
            </label>
          </div>
          <label className="check"><input type="checkbox" checked={f.tls} onChange={(e) => set('tls', e.target.checked)} />{t('mailboxes.tls')}</label>
          <label className="check"><input type="checkbox" checked={f.tlsVerify} onChange={(e) => set('tlsVerify', e.target.checked)} disabled={!f.tls} />{t('mailboxes.tlsVerify')}</label>
          {(!f.tls || !f.tlsVerify) && <p className="banner-error" role="alert">{f.tls ? t('mailboxes.tlsVerifyOffWarning') : t('mailboxes.tlsOffWarning')}</p>}
        </fieldset>
        <FormError error={save.error} />
        <div className="dialog-actions">
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!f.address.trim() || !f.displayName.trim() || save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
