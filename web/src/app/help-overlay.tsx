import { useEffect, useState } from 'react';
import { Dialog } from '../components/dialog.js';
import { t, type MessageKey } from '../lib/i18n.js';
import { activeShortcuts, onShortcutsChange } from '../lib/shortcuts.js';

// Every shortcut the workspace knows, so the overlay also lists those of screens not open now.
const ALL: { key: string; help: MessageKey }[] = [
  { key: 'j', help: 'shortcuts.next' },
  { key: 'k', help: 'shortcuts.previous' },
  { key: 'Enter', help: 'shortcuts.open' },
  { key: 'x', help: 'shortcuts.select' },
  { key: '/', help: 'shortcuts.search' },
  { key: 'r', help: 'shortcuts.reply' },
  { key: 'n', help: 'shortcuts.note' },
  { key: 'a', help: 'shortcuts.assignToMe' },
  { key: 's', help: 'shortcuts.status' },
  { key: 'u', help: 'shortcuts.backToList' },
  { key: '?', help: 'shortcuts.help' },
];

export function HelpOverlay({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const [, force] = useState(0);
  useEffect(() => onShortcutsChange(() => force((n) => n + 1)), []);
  const here = new Set(activeShortcuts().map((s) => s.key));
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('shortcuts.title')}>
      <table className="shortcuts-table">
        <tbody>
          {ALL.map((s) => (
            <tr key={s.key} className={here.has(s.key) ? '' : 'muted'}>
              <td>
                <kbd>{s.key}</kbd>
              </td>
              <td>{t(s.help)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">{t('shortcuts.dimmedHint')}</p>
    </Dialog>
  );
}
