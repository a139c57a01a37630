import { useState } from 'react';
import { Dialog } from '../../components/dialog.js';
import { Icon } from '../../components/icons.js';
import { Menu } from '../../components/menu.js';
import { PRIORITIES, STATUSES } from '../../lib/domain.js';
import { t, tp } from '../../lib/i18n.js';
import { useGroups, useStaff } from '../../lib/queries.js';
import { navigate } from '../../lib/router.js';
import type { Ticket } from '../../lib/types.js';
import { useSession } from '../auth/session.js';
import { useBulkUpdate, useMerge, type BulkChanges } from './inbox-api.js';

/** Actions on the selected tickets: one request for all of them (all or nothing). */
export function BulkBar({ selected, tickets, onClear }: { selected: number[]; tickets: Ticket[]; onClear: () => void }) {
  const { me } = useSession();
  const staff = useStaff();
  const groups = useGroups();
  const bulk = useBulkUpdate(onClear);
  const [tagsOpen, setTagsOpen] = useState(false);
  const [mergeOpen, setMergeOpen] = useState(false);
  const apply = (changes: BulkChanges) => bulk.mutate({ numbers: selected, changes });
  const caret = <Icon name="chevron" size={12} />;

  return (
    <div className="bulk-bar" role="toolbar" aria-label={t('bulk.toolbar')}>
      <strong className="bulk-count">{tp('bulk.selected', selected.length)}</strong>
      <Menu
        trigger={<button type="button" className="button">{t('bulk.assign')} {caret}</button>}
        items={[
          { label: t('bulk.assignToMe'), onSelect: () => apply({ assigneeId: me.id }) },
          ...(staff.data ?? []).filter((u) => u.active && u.id !== me.id).map((u) => ({ label: u.name, onSelect: () => apply({ assigneeId: u.id }) })),
          'separator' as const,
          { label: t('bulk.unassign'), onSelect: () => apply({ assigneeId: null }) },
        ]}
      />
      <Menu
        trigger={<button type="button" className="button">{t('bulk.group')} {caret}</button>}
        items={[...(groups.data ?? []).map((g) => ({ label: g.name, onSelect: () => apply({ groupId: g.id }) })), 'separator' as const, { label: t('bulk.noGroup'), onSelect: () => apply({ groupId: null }) }]}
      />
      <Menu trigger={<button type="button" className="button">{t('bulk.status')} {caret}</button>} items={STATUSES.map((s) => ({ label: t(`status.${s}`), onSelect: () => apply({ status: s }) }))} />
      <Menu trigger={<button type="button" className="button">{t('bulk.priority')} {caret}</button>} items={PRIORITIES.map((p) => ({ label: t(`priority.${p}`), onSelect: () => apply({ priority: p }) }))} />
      <button type="button" className="button" onClick={() => setTagsOpen(true)}>
        {t('bulk.tags')}
      </button>
      <button type="button" className="button" disabled={selected.length < 2} onClick={() => setMergeOpen(true)}>
        {t('bulk.merge')}
      </button>
      <button type="button" className="button danger" onClick={() => apply({ spam: true })}>
        {t('bulk.spam')}
      </button>
      <button type="button" className="button ghost" onClick={onClear}>
        {t('bulk.clear')}
      </button>
      <TagsDialog open={tagsOpen} onOpenChange={setTagsOpen} onApply={(add, remove) => apply({ ...(add.length ? { addTags: add } : {}), ...(remove.length ? { removeTags: remove } : {}) })} />
      {mergeOpen && <MergeSelectedDialog numbers={selected} tickets={tickets} onClose={() => setMergeOpen(false)} onMerged={onClear} />}
    </div>
  );
}

const splitTags = (s: string) => s.split(/[\s,]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);

function TagsDialog({ open, onOpenChange, onApply }: { open: boolean; onOpenChange: (o: boolean) => void; onApply: (add: string[], remove: string[]) => void }) {
  const [add, setAdd] = useState('');
  const [remove, setRemove] = useState('');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('bulk.tagsTitle')}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          onApply(splitTags(add), splitTags(remove));
          setAdd('');
          setRemove('');
          onOpenChange(false);
        }}
      >
        <label className="field">
          <span>{t('bulk.addTags')}</span>
          <input value={add} onChange={(e) => setAdd(e.target.value)} placeholder="billing, vip" autoFocus />
        </label>
        <label className="field">
          <span>{t('bulk.removeTags')}</span>
          <input value={remove} onChange={(e) => setRemove(e.target.value)} />
        </label>
        <div className="dialog-actions">
          <button type="submit" className="button primary" disabled={!add.trim() && !remove.trim()}>
            {t('common.apply')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function MergeSelectedDialog({ numbers, tickets, onClose, onMerged }: { numbers: number[]; tickets: Ticket[]; onClose: () => void; onMerged: () => void }) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const [target, setTarget] = useState(sorted[0]!);
  const merge = useMerge((tk) => {
    onMerged();
    onClose();
    navigate(`/tickets/${tk.number}`);
  });
  const subject = (n: number) => tickets.find((x) => x.number === n)?.subject ?? '';
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('merge.title')}>
      <p>{t('merge.chooseTarget')}</p>
      <fieldset className="radio-list">
        <legend className="sr-only">{t('merge.target')}</legend>
        {sorted.map((n) => (
          <label key={n} className="radio-row">
            <input type="radio" name="merge-target" checked={target === n} onChange={() => setTarget(n)} />#{n} {subject(n)}
          </label>
        ))}
      </fieldset>
      <p className="hint">{t('merge.explain')}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button primary" disabled={merge.isPending} onClick={() => merge.mutate({ target, sources: sorted.filter((n) => n !== target) })}>
          {t('merge.confirm', { target: `#${target}` })}
        </button>
      </div>
    </Dialog>
  );
}
