import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast } from '../../components/toast.js';
import { api, ApiError, fieldErrors } from '../../lib/api.js';
import { t, tp } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import type { Tag, TagChange } from './admin-types.js';
import { FormError } from './form-error.js';

const tagPath = (name: string) => `/api/v1/tags/${encodeURIComponent(name)}`;

/** Tags in use with their ticket counts; admins rename (merging into an existing name) and delete them. */
export function TagsAdmin({ canEdit }: { canEdit: boolean }) {
  const list = useQuery({ queryKey: ['tags'], queryFn: () => api.get<{ items: Tag[] }>('/api/v1/tags').then((r) => r.items) });
  const [renaming, setRenaming] = useState<Tag | null>(null);
  const [deleting, setDeleting] = useState<Tag | null>(null);
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} />;
  return (
    <section>
      {list.data.length === 0 ? <p className="muted">{t('tags.none')}</p> : (
        <table className="simple-table">
          <thead><tr><th>{t('tags.tag')}</th><th>{t('tags.tickets')}</th><th /></tr></thead>
          <tbody>
            {list.data.map((tag) => (
              <tr key={tag.name} data-tag={tag.name}>
                <td><span className="tag">{tag.name}</span></td>
                <td><Link to={`/tickets?q=${encodeURIComponent(`tag:${tag.name}`)}`}>{tp('tags.count', tag.ticketCount)}</Link></td>
                <td className="row-actions">
                  {canEdit && (
                    <>
                      <button type="button" className="button small" onClick={() => setRenaming(tag)}>{t('tags.rename')}</button>
                      <button type="button" className="button small danger" onClick={() => setDeleting(tag)}>{t('common.delete')}</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {renaming && <RenameTagDialog tag={renaming} existing={list.data} onClose={() => setRenaming(null)} />}
      {deleting && <DeleteTagDialog tag={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}

function useTagChange(onClose: () => void) {
  const qc = useQueryClient();
  return (c: TagChange) => {
    // Ticket lists and views show tags and filter by them.
    for (const key of ['tags', 'tickets', 'ticket', 'views']) void qc.invalidateQueries({ queryKey: [key] });
    toast(c.to === null ? tp('tags.deleted', c.tickets, { tag: c.from }) : c.merged ? tp('tags.merged', c.tickets, { tag: c.from, name: c.to }) : tp('tags.renamed', c.tickets, { tag: c.from, name: c.to }));
    onClose();
  };
}

function RenameTagDialog({ tag, existing, onClose }: { tag: Tag; existing: Tag[]; onClose: () => void }) {
  const [name, setName] = useState(tag.name);
  const done = useTagChange(onClose);
  const save = useMutation({ mutationFn: () => api.patch<TagChange>(tagPath(tag.name), { name }), onSuccess: done });
  const target = name.trim().toLowerCase();
  const mergesInto = target !== tag.name ? existing.find((x) => x.name === target) : undefined;
  const err = fieldErrors(save.error).name ?? (save.error instanceof ApiError ? save.error.message : save.error ? t('errors.unexpected') : null);
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('tags.renameTitle', { tag: tag.name })}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="field"><span>{t('tags.newName')}</span><input value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <p className="hint">{mergesInto ? tp('tags.willMerge', mergesInto.ticketCount, { name: mergesInto.name }) : tp('tags.willRename', tag.ticketCount)}</p>
        {err && <p className="form-error" role="alert">{err}</p>}
        <div className="dialog-actions">
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!target || target === tag.name || save.isPending}>{mergesInto ? t('tags.merge') : t('tags.rename')}</button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteTagDialog({ tag, onClose }: { tag: Tag; onClose: () => void }) {
  const done = useTagChange(onClose);
  const remove = useMutation({ mutationFn: () => api.delete<TagChange>(tagPath(tag.name)), onSuccess: done });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('tags.deleteTitle', { tag: tag.name })}>
      <div className="stack">
        <p>{tp('tags.deleteConfirm', tag.ticketCount, { tag: tag.name })}</p>
        <FormError error={remove.error} />
        <div className="dialog-actions">
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="button" className="button danger" onClick={() => remove.mutate()} disabled={remove.isPending}>{t('common.delete')}</button>
        </div>
      </div>
    </Dialog>
  );
}
