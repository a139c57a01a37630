import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Icon } from '../../components/icons.js';
import { Menu } from '../../components/menu.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { fileSize } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import { usePresence } from '../../lib/live-updates.js';
import { useStaff } from '../../lib/queries.js';
import { useSession } from '../auth/session.js';
import type { Attachment, Ticket, TicketStatus } from '../../lib/types.js';
import { MentionInput } from './mention-input.js';
import { usePostMessage } from './ticket-api.js';

export type ComposerMode = 'reply' | 'note';

/** Reply or internal note, with attachments by drag-and-drop, @mentions in notes and a preview. */
export function Composer({ ticket, mode, onModeChange, focusSignal }: { ticket: Ticket; mode: ComposerMode; onModeChange: (m: ComposerMode) => void; focusSignal: number }) {
  const staff = useStaff();
  const post = usePostMessage(ticket.number);
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(0);
  const [preview, setPreview] = useState(false);
  const [dragging, setDragging] = useState(false);
  const text = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const { me } = useSession();
  // Presence: others see that we are replying; we see who else is here before we send.
  const others = usePresence(ticket.number, body.trim().length > 0).filter((p) => p.userId !== me.id);
  const replyingOthers = others.filter((p) => p.state === 'replying');

  useEffect(() => {
    if (focusSignal > 0) {
      setPreview(false);
      requestAnimationFrame(() => text.current?.focus());
    }
  }, [focusSignal]);

  const upload = async (list: FileList | File[]) => {
    for (const f of Array.from(list)) {
      setUploading((n) => n + 1);
      try {
        const a = await api.upload<Attachment>('/api/v1/uploads', f);
        setFiles((fs) => [...fs, a]);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'payload_too_large') toast(t('composer.tooLarge', { name: f.name }), 'error');
        else toastError(err);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  const send = (setStatus?: TicketStatus) => {
    if (!body.trim() || post.isPending) return;
    post.mutate(
      { kind: mode === 'note' || ticket.status === 'closed' ? 'note' : 'reply', body, attachmentIds: files.map((f) => f.id), ...(setStatus ? { setStatus } : {}) },
      {
        onSuccess: () => {
          setBody('');
          setFiles([]);
          setPreview(false);
          toast(mode === 'note' ? t('composer.noteAdded') : setStatus ? t('composer.sentAndSet', { status: t(`status.${setStatus}`) }) : t('composer.sent'));
        },
        onError: (err) => toastError(err),
      },
    );
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length) void upload(e.dataTransfer.files);
  };
  // A closed ticket takes internal notes only: the server refuses a public reply on it.
  const closed = ticket.status === 'closed';
  const note = mode === 'note' || closed;
  const ready = body.trim().length > 0 && uploading === 0 && !post.isPending;

  return (
    <section
      className={`composer composer-${note ? 'note' : 'reply'}${dragging ? ' dragging' : ''}`}
      aria-label={note ? t('composer.noteLabel') : t('composer.replyLabel')}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="composer-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={!note} className={!note ? 'tab active' : 'tab'} disabled={closed} title={closed ? t('prop.closedReadOnly') : undefined} onClick={() => onModeChange('reply')}>
          <Icon name="reply" size={14} /> {t('composer.reply')}
        </button>
        <button type="button" role="tab" aria-selected={note} className={note ? 'tab active tab-note' : 'tab tab-note'} onClick={() => onModeChange('note')}>
          <Icon name="lock" size={14} /> {t('composer.note')}
        </button>
        <span className="composer-to muted">{note ? t('composer.noteHint') : t('composer.replyTo', { to: ticket.requester.email ?? ticket.requester.name })}</span>
      </div>
      {others.length > 0 && (
        <p className={replyingOthers.length ? 'collision warning' : 'collision'} role="status">
          {replyingOthers.length
            ? t('composer.othersReplying', { names: replyingOthers.map((p) => p.name).join(', ') })
            : t('composer.othersViewing', { names: others.map((p) => p.name).join(', ') })}
        </p>
      )}
      {preview ? (
        <div className={`composer-preview message message-${note ? 'note' : 'reply'}`} aria-label={t('composer.preview')}>
          <div className="plain-body">{body}</div>
          {files.length > 0 && <p className="muted">{files.map((f) => f.filename).join(', ')}</p>}
        </div>
      ) : (
        <MentionInput
          ref={text}
          value={body}
          onChange={setBody}
          people={note ? (staff.data ?? []) : null}
          rows={5}
          aria-label={note ? t('composer.noteLabel') : t('composer.replyLabel')}
          placeholder={note ? t('composer.notePlaceholder') : t('composer.replyPlaceholder')}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              send();
            }
          }}
        />
      )}
      {(files.length > 0 || uploading > 0) && (
        <ul className="upload-list">
          {files.map((f) => (
            <li key={f.id} className="tag">
              <Icon name="clip" size={12} /> {f.filename} <span className="muted">{fileSize(f.size)}</span>
              <button type="button" className="tag-remove" aria-label={t('composer.removeFile', { name: f.filename })} onClick={() => setFiles((fs) => fs.filter((x) => x.id !== f.id))}>
                ×
              </button>
            </li>
          ))}
          {uploading > 0 && <li className="muted">{t('composer.uploading')}</li>}
        </ul>
      )}
      <div className="composer-actions">
        <button type="button" className="icon-button" aria-label={t('composer.attach')} title={t('composer.dropHint')} onClick={() => picker.current?.click()}>
          <Icon name="clip" />
        </button>
        <input ref={picker} type="file" multiple hidden onChange={(e) => e.target.files && void upload(e.target.files)} />
        <button type="button" className="button ghost" aria-pressed={preview} onClick={() => setPreview((p) => !p)} disabled={!body.trim()}>
          {preview ? t('composer.edit') : t('composer.previewButton')}
        </button>
        <span className="spacer" />
        {note ? (
          <button type="button" className="button note-button" disabled={!ready} onClick={() => send()}>
            {t('composer.addNote')}
          </button>
        ) : (
          <>
            <Menu
              label={t('composer.sendAndSet')}
              trigger={
                <button type="button" className="button" disabled={!ready}>
                  {t('composer.sendAndSet')} <Icon name="chevron" size={12} />
                </button>
              }
              items={(['waiting', 'in_progress', 'closed'] as const).map((s) => ({ label: t('composer.sendAs', { status: t(`status.${s}`) }), onSelect: () => send(s) }))}
            />
            <button type="button" className="button" disabled={!ready} onClick={() => send()}>
              {t('composer.send')}
            </button>
            <button type="button" className="button primary to-solve" disabled={!ready} onClick={() => send('resolved')} title={t('composer.toSolveHint')}>
              <Icon name="check" /> {t('composer.toSolve')}
            </button>
          </>
        )}
      </div>
    </section>
  );
}
