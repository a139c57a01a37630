import { lazy, Suspense } from 'react';
import { Loading } from '../components/states.js';
import { Toaster } from '../components/toast.js';
import { SessionGate } from '../features/auth/session.js';
import { InboxPage } from '../features/inbox/inbox-page.js';
import { t } from '../lib/i18n.js';
import { match, navigate, RouterProvider, useLocation } from '../lib/router.js';
import { useTheme } from '../lib/theme.js';
import { Shell } from './shell.js';

// The inbox is in the first bundle; everything else loads when first opened.
const TicketPage = lazy(() => import('../features/ticket/ticket-page.js').then((m) => ({ default: m.TicketPage })));
const ContactsPage = lazy(() => import('../features/contacts/contacts-page.js').then((m) => ({ default: m.ContactsPage })));
const ContactPage = lazy(() => import('../features/contacts/contact-page.js').then((m) => ({ default: m.ContactPage })));
const OrganizationsPage = lazy(() => import('../features/contacts/organizations-page.js').then((m) => ({ default: m.OrganizationsPage })));
const OrganizationPage = lazy(() => import('../features/contacts/organization-page.js').then((m) => ({ default: m.OrganizationPage })));
const ChatPage = lazy(() => import('../features/chat/chat-page.js').then((m) => ({ default: m.ChatPage })));
const CallbacksPage = lazy(() => import('../features/phone/callbacks-page.js').then((m) => ({ default: m.CallbacksPage })));
const ReportsPage = lazy(() => import('../features/reports/reports-page.js').then((m) => ({ default: m.ReportsPage })));
const AdminPage = lazy(() => import('../features/admin/admin-page.js').then((m) => ({ default: m.AdminPage })));

export const DEFAULT_VIEW = 'my_open';

function Routes() {
  const { path } = useLocation();
  let m: Record<string, string> | null;
  if (path === '/' || path === '') {
    navigate(`/views/${DEFAULT_VIEW}`, { replace: true });
    return null;
  }
  if ((m = match('/views/:viewId', path))) return <InboxPage viewId={m.viewId!} />;
  if (match('/tickets', path)) return <InboxPage viewId={null} />;
  if ((m = match('/tickets/:number', path))) return <TicketPage number={Number(m.number)} key={m.number} />;
  if (match('/chat', path)) return <ChatPage chatId={null} />;
  if ((m = match('/chat/:id', path))) return <ChatPage chatId={m.id!} />;
  if (match('/callbacks', path)) return <CallbacksPage />;
  if (match('/contacts', path)) return <ContactsPage />;
  if ((m = match('/contacts/:id', path))) return <ContactPage id={m.id!} key={m.id} />;
  if (match('/organizations', path)) return <OrganizationsPage />;
  if ((m = match('/organizations/:id', path))) return <OrganizationPage id={m.id!} key={m.id} />;
  if (match('/reports', path)) return <ReportsPage report="volume" />;
  if ((m = match('/reports/:report', path))) return <ReportsPage report={m.report!} />;
  if ((m = match('/admin/:section', path))) return <AdminPage section={m.section!} />;
  if (match('/admin', path)) return <AdminPage section="users" />;
  return <NotFound />;
}

function NotFound() {
  return (
    <div className="page">
      <p className="state-empty">{t('errors.pageNotFound')}</p>
    </div>
  );
}

export function App() {
  const [theme, toggleTheme] = useTheme();
  return (
    <RouterProvider>
      <SessionGate>
        <Shell theme={theme} onToggleTheme={toggleTheme}>
          <Suspense fallback={<Loading />}>
            <Routes />
          </Suspense>
        </Shell>
      </SessionGate>
      <Toaster />
    </RouterProvider>
  );
}
