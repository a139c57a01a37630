import { Icon, type IconName } from '../../components/icons.js';
import { t, type MessageKey } from '../../lib/i18n.js';
import { useViews } from '../../lib/queries.js';
import { Link, useLocation } from '../../lib/router.js';
import type { View } from '../../lib/types.js';
import { useSession } from '../auth/session.js';

const PREDEFINED_GROUPS: { title: MessageKey; ids: string[] }[] = [
  { title: 'views.sectionMine', ids: ['my_open', 'my_in_progress', 'my_waiting', 'my_resolved', 'my_closed'] },
  { title: 'views.sectionTeam', ids: ['unassigned', 'all_open', 'my_groups', 'overdue', 'transferred', 'starred', 'spam'] },
];

/** Predefined views are named by the UI (translated); saved views by their owners. */
export function viewLabel(v: Pick<View, 'id' | 'name' | 'predefined'>): string {
  if (!v.predefined) return v.name;
  const key = `views.${v.id}` as MessageKey;
  const s = t(key);
  return s === key ? v.name : s;
}

function ViewLink({ view, active }: { view: View; active: boolean }) {
  return (
    <Link to={`/views/${encodeURIComponent(view.id)}`} className={active ? 'nav-item active' : 'nav-item'} aria-current={active ? 'page' : undefined} data-view={view.id}>
      <span className="nav-label">{viewLabel(view)}</span>
      {view.count !== undefined && <span className="nav-count" aria-label={t('views.countLabel', { count: view.count })}>{view.count}</span>}
    </Link>
  );
}

function NavLink({ to, icon, label, active }: { to: string; icon: IconName; label: string; active: boolean }) {
  return (
    <Link to={to} className={active ? 'nav-item active' : 'nav-item'} aria-current={active ? 'page' : undefined}>
      <Icon name={icon} />
      <span className="nav-label">{label}</span>
    </Link>
  );
}

export function Sidebar() {
  const views = useViews();
  const { path } = useLocation();
  const { me } = useSession();
  const current = path.startsWith('/views/') ? decodeURIComponent(path.slice('/views/'.length)) : null;
  const byId = new Map((views.data ?? []).map((v) => [v.id, v]));
  const saved = (views.data ?? []).filter((v) => !v.predefined);
  const staffAdmin = me.role === 'admin' || me.role === 'supervisor';

  return (
    <nav className="sidebar" aria-label={t('shell.navigation')}>
      {PREDEFINED_GROUPS.map((g) => (
        <section key={g.title} className="nav-section">
          <h2 className="nav-title">{t(g.title)}</h2>
          {g.ids
            .map((id) => byId.get(id))
            .filter((v): v is View => v !== undefined)
            .map((v) => (
              <ViewLink key={v.id} view={v} active={current === v.id} />
            ))}
        </section>
      ))}
      <section className="nav-section">
        <h2 className="nav-title">{t('views.sectionSaved')}</h2>
        {saved.length === 0 && views.isSuccess && <p className="nav-empty">{t('views.noneSaved')}</p>}
        {saved.map((v) => (
          <ViewLink key={v.id} view={v} active={current === v.id} />
        ))}
      </section>
      <section className="nav-section">
        <NavLink to="/tickets" icon="search" label={t('nav.search')} active={path === '/tickets'} />
        <NavLink to="/chat" icon="reply" label={t('nav.chat')} active={path.startsWith('/chat')} />
        <NavLink to="/callbacks" icon="alert" label={t('nav.callbacks')} active={path.startsWith('/callbacks')} />
        <NavLink to="/contacts" icon="user" label={t('nav.contacts')} active={path.startsWith('/contacts')} />
        <NavLink to="/organizations" icon="people" label={t('nav.organizations')} active={path.startsWith('/organizations')} />
        {staffAdmin && <NavLink to="/reports" icon="filter" label={t('nav.reports')} active={path.startsWith('/reports')} />}
        {staffAdmin && <NavLink to="/admin/users" icon="gear" label={t('nav.admin')} active={path.startsWith('/admin')} />}
        {/* Agents have no admin pages, but keep their personal canned responses there. */}
        {!staffAdmin && <NavLink to="/admin/canned-responses" icon="reply" label={t('admin.canned')} active={path.startsWith('/admin')} />}
      </section>
    </nav>
  );
}
