import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { useGroups, useStaff } from '../../lib/queries.js';
import type { Group } from '../../lib/types.js';

export function GroupsAdmin({ canEdit }: { canEdit: boolean }) {
  const groups = useGroups();
  const staff = useStaff();
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  if (groups.isPending) return <Loading />;
  if (groups.isError) return <ErrorState error={groups.error} />;
  const names = (ids: string[]) => ids.map((id) => staff.data?.find((u) => u.id === id)?.name).filter(Boolean).join(', ');
  return (
    <section>
      {canEdit && <div className="toolbar"><button type="button" className="button primary" onClick={() => setEditing('new')}>{t('admin.newGroup')}</button></div>}
      <table className="simple-table">
        <thead><tr><th>{t('admin.name')}</th><th>{t('admin.description')}</th><th>{t('admin.members')}</th><th /></tr></thead>
        <tbody>
          {groups.data.map((g) => (
            <tr key={g.id}>
              <td>{g.name}</td>
              <td>{g.description}</td>
              <td>{names(g.memberIds)}</td>
              <td>{canEdit && <button type="button" className="button small" onClick={() => setEditing(g)}>{t('common.edit')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && <GroupDialog group={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function GroupDialog({ group, onClose }: { group: Group | null; onClose: () => void }) {
  const qc = useQueryClient();
  const staff = useStaff();
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [members, setMembers] = useState<string[]>(group?.memberIds ?? []);
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['groups'] });
    void qc.invalidateQueries({ queryKey: ['users'] });
    toast(t('common.saved'));
    onClose();
  };
  const save = useMutation({
    mutationFn: () => (group ? api.patch(`/api/v1/groups/${group.id}`, { name, description, memberIds: members }) : api.post('/api/v1/groups', { name, description, memberIds: members })),
    onSuccess: done,
    onError: (e) => toastError(e),
  });
  const remove = useMutation({ mutationFn: () => api.delete(`/api/v1/groups/${group!.id}`), onSuccess: done, onError: (e) => toastError(e) });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={group ? t('admin.editGroup') : t('admin.newGroup')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="field"><span>{t('admin.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <label className="field"><span>{t('admin.description')}</span><input value={description} onChange={(e) => setDescription(e.target.value)} /></label>
        <fieldset className="columns-picker">
          <legend>{t('admin.members')}</legend>
          {(staff.data ?? []).filter((u) => u.active).map((u) => (
            <label key={u.id} className="check"><input type="checkbox" checked={members.includes(u.id)} onChange={(e) => setMembers((m) => (e.target.checked ? [...m, u.id] : m.filter((x) => x !== u.id)))} />{u.name}</label>
          ))}
        </fieldset>
        {save.error instanceof ApiError && <p className="form-error" role="alert">{save.error.message}</p>}
        <div className="dialog-actions">
          {group && <button type="button" className="button danger" onClick={() => remove.mutate()}>{t('common.delete')}</button>}
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={!name.trim() || save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
