import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api, ApiError } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { nameOf, useGroups, useStaff } from '../../lib/queries.js';
import type { User } from '../../lib/types.js';

const ROLES = ['agent', 'supervisor', 'admin'] as const;

export function UsersAdmin({ canEdit }: { canEdit: boolean }) {
  const users = useStaff();
  const groups = useGroups();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  if (users.isPending) return <Loading />;
  if (users.isError) return <ErrorState error={users.error} />;
  return (
    <section>
      {canEdit && (
        <div className="toolbar">
          <button type="button" className="button primary" onClick={() => setEditing('new')}>{t('admin.newUser')}</button>
        </div>
      )}
      <table className="simple-table">
        <thead><tr><th>{t('admin.name')}</th><th>{t('auth.email')}</th><th>{t('admin.role')}</th><th>{t('admin.groups')}</th><th>{t('admin.state')}</th><th /></tr></thead>
        <tbody>
          {users.data.map((u) => (
            <tr key={u.id} className={u.active ? '' : 'muted'}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{t(`role.${u.role}`)}</td>
              <td>{u.groupIds.map((g) => nameOf(groups.data, g)).filter(Boolean).join(', ')}</td>
              <td>{u.active ? t('admin.active') : t('admin.inactive')}</td>
              <td>{canEdit && <button type="button" className="button small" onClick={() => setEditing(u)}>{t('common.edit')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && <UserDialog user={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function UserDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const qc = useQueryClient();
  const groups = useGroups();
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [role, setRole] = useState<(typeof ROLES)[number]>(user && user.role !== 'customer' ? user.role : 'agent');
  const [password, setPassword] = useState('');
  const [active, setActive] = useState(user?.active ?? true);
  const [groupIds, setGroupIds] = useState<string[]>(user?.groupIds ?? []);
  const save = useMutation({
    mutationFn: () => {
      const body = { name, email, role, groupIds, ...(password ? { password } : {}) };
      return user ? api.patch<User>(`/api/v1/users/${user.id}`, { ...body, active }) : api.post<User>('/api/v1/users', body);
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['users'] });
      void qc.invalidateQueries({ queryKey: ['groups'] });
      toast(t('common.saved'));
      onClose();
    },
    onError: (e) => !(e instanceof ApiError && e.code === 'validation_failed') && toastError(e),
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={user ? t('admin.editUser') : t('admin.newUser')}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <label className="field"><span>{t('admin.name')}</span><input value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <label className="field"><span>{t('auth.email')}</span><input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required /></label>
        <label className="field">
          <span>{t('admin.role')}</span>
          <select value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </select>
        </label>
        <label className="field"><span>{user ? t('admin.newPassword') : t('admin.password')}</span><input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} minLength={8} placeholder={user ? t('admin.keepPassword') : t('admin.generatedIfEmpty')} /></label>
        <fieldset className="columns-picker">
          <legend>{t('admin.groups')}</legend>
          {(groups.data ?? []).map((g) => (
            <label key={g.id} className="check"><input type="checkbox" checked={groupIds.includes(g.id)} onChange={(e) => setGroupIds((ids) => (e.target.checked ? [...ids, g.id] : ids.filter((x) => x !== g.id)))} />{g.name}</label>
          ))}
        </fieldset>
        {user && <label className="check"><input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />{t('admin.active')}</label>}
        {save.error instanceof ApiError && <p className="form-error" role="alert">{save.error.message}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
