import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Icon } from '../components/icons.js';
import { Menu } from '../components/menu.js';
import { useSession } from '../features/auth/session.js';
import { ChangePasswordDialog } from '../features/auth/change-password-dialog.js';
import { Sidebar } from '../features/views/sidebar.js';
import { t } from '../lib/i18n.js';
import { useLiveUpdates } from '../lib/live-updates.js';
import { useSettings } from '../lib/queries.js';
import { useLocation } from '../lib/router.js';
import { useShortcuts } from '../lib/shortcuts.js';
import type { Theme } from '../lib/theme.js';
import { HelpOverlay } from './help-overlay.js';
import { NoticeBoard } from './notice-board.js';

export function Shell({ children, theme, onToggleTheme }: { children: ReactNode; theme: Theme; onToggleTheme: () => void }) {
  const { me, signOut } = useSession();
  const qc = useQueryClient();
  const rooms = [`agent:${me.id}`, ...me.groupIds.map((g) => `group:${g}`), ...(me.restrictedToGroups ? [] : ['queue'])];
  const live = useLiveUpdates(qc, true, rooms);
  const settings = useSettings();
  const [navOpen, setNavOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [pwOpen, setPwOpen] = useState(false);
  const { path } = useLocation();
  const [lastPath, setLastPath] = useState(path);
  // On a phone the sidebar is a drawer; following a link closes it.
  if (path !== lastPath) {
    setLastPath(path);
    setNavOpen(false);
  }

  useShortcuts([{ key: '?', help: 'shortcuts.help', run: () => setHelpOpen(true) }]);

  return (
    <div className={navOpen ? 'app nav-open' : 'app'}>
      <header className="topbar">
        <button type="button" className="icon-button nav-toggle" aria-label={t('shell.menu')} aria-expanded={navOpen} onClick={() => setNavOpen((o) => !o)}>
          <Icon name="menu" />
        </button>
        <div className="brand">
          <span className="brand-mark">T</span>
          <span className="brand-name">{settings.data?.helpdeskName ?? 'Tessera'}</span>
        </div>
        <span className={`live-dot live-${live}`} title={t(`live.${live}`)} aria-label={t(`live.${live}`)} />
        <div className="topbar-spacer" />
        <button type="button" className="icon-button" aria-label={t('shortcuts.title')} title={t('shortcuts.title')} onClick={() => setHelpOpen(true)}>
          <Icon name="keyboard" />
        </button>
        <button type="button" className="icon-button" aria-label={theme === 'dark' ? t('shell.lightTheme') : t('shell.darkTheme')} title={theme === 'dark' ? t('shell.lightTheme') : t('shell.darkTheme')} onClick={onToggleTheme}>
          <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
        </button>
        <Menu
          label={t('shell.account')}
          trigger={
            <button type="button" className="user-button">
              <span className="avatar">{initials(me.name)}</span>
              <span className="user-name">{me.name}</span>
            </button>
          }
          items={[
            { label: t('account.changePassword'), onSelect: () => setPwOpen(true) },
            'separator',
            { label: t('auth.signOut'), onSelect: () => void signOut() },
          ]}
        />
      </header>
      <Sidebar />
      <div className="nav-scrim" onClick={() => setNavOpen(false)} />
      <main className="content">
        <NoticeBoard />
        {children}
      </main>
      <HelpOverlay open={helpOpen} onOpenChange={setHelpOpen} />
      <ChangePasswordDialog open={pwOpen} onOpenChange={setPwOpen} />
    </div>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() || '?';
}
