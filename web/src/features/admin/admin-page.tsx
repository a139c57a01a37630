import { t, type MessageKey } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import { useSession } from '../auth/session.js';
import { CustomFieldsAdmin } from './custom-fields-admin.js';
import { GroupsAdmin } from './groups-admin.js';
import { SettingsAdmin } from './settings-admin.js';
import { UsersAdmin } from './users-admin.js';
import { WebhooksAdmin } from './webhooks-admin.js';
import { CsatAdmin } from './csat-admin.js';
import { SlaAdmin } from '../sla/sla-admin.js';
import { AutomationsAdmin } from '../automations/automations-admin.js';
import { CannedAdmin } from './canned-admin.js';
import { TagsAdmin } from './tags-admin.js';
import { MailboxesAdmin } from './mailboxes-admin.js';
import { TemplatesAdmin } from './templates-admin.js';
import { RestrictedWordsAdmin } from './restricted-words-admin.js';
import { NoticesAdmin } from './notices-admin.js';

const SECTIONS: { id: string; label: MessageKey }[] = [
  { id: 'users', label: 'admin.users' },
  { id: 'groups', label: 'admin.groups' },
  { id: 'custom-fields', label: 'admin.customFields' },
  { id: 'settings', label: 'admin.settings' },
  { id: 'webhooks', label: 'admin.webhooks' },
  { id: 'csat', label: 'admin.csat' },
  { id: 'sla', label: 'sla.admin.title' },
  { id: 'automations', label: 'automations.title' },
  { id: 'canned-responses', label: 'admin.canned' },
  { id: 'tags', label: 'admin.tags' },
  { id: 'mailboxes', label: 'admin.mailboxes' },
  { id: 'templates', label: 'admin.templates' },
  { id: 'restricted-words', label: 'admin.restrictedWords' },
  { id: 'notices', label: 'admin.notices' },
];

export function AdminPage({ section }: { section: string }) {
  const { me } = useSession();
  const isAdmin = me.role === 'admin';
  return (
    <div className="page">
      <header className="page-header">
        <h1>{t('nav.admin')}</h1>
      </header>
      <nav className="tabs" aria-label={t('nav.admin')}>
        {SECTIONS.map((s) => (
          <Link key={s.id} to={`/admin/${s.id}`} className={section === s.id ? 'tab active' : 'tab'} aria-current={section === s.id ? 'page' : undefined}>
            {t(s.label)}
          </Link>
        ))}
      </nav>
      {/* Every agent keeps their own canned responses here. */}
      {!isAdmin && section !== 'canned-responses' && <p className="notice">{t('admin.readOnly')}</p>}
      {section === 'users' && <UsersAdmin canEdit={isAdmin} />}
      {section === 'groups' && <GroupsAdmin canEdit={isAdmin} />}
      {section === 'custom-fields' && <CustomFieldsAdmin canEdit={isAdmin} />}
      {section === 'settings' && <SettingsAdmin canEdit={isAdmin} />}
      {section === 'webhooks' && <WebhooksAdmin canEdit={isAdmin} />}
      {section === 'csat' && <CsatAdmin canEdit={isAdmin} />}
      {section === 'sla' && <SlaAdmin canEdit={isAdmin} />}
      {section === 'automations' && <AutomationsAdmin canEdit={isAdmin} />}
      {section === 'canned-responses' && <CannedAdmin canEdit={isAdmin} />}
      {section === 'tags' && <TagsAdmin canEdit={isAdmin} />}
      {section === 'mailboxes' && <MailboxesAdmin canEdit={isAdmin} />}
      {section === 'templates' && <TemplatesAdmin canEdit={isAdmin} />}
      {section === 'restricted-words' && <RestrictedWordsAdmin canEdit={isAdmin} />}
      {section === 'notices' && <NoticesAdmin canEdit={isAdmin} />}
    </div>
  );
}
