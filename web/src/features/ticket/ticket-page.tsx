import { useRef, useState } from 'react';
import { PriorityBadge, StatusBadge } from '../../components/badges.js';
import { SlaCountdown } from '../sla/sla-countdown.js';
import { Icon } from '../../components/icons.js';
import { Menu } from '../../components/menu.js';
import { ErrorState, Loading } from '../../components/states.js';
import { toast } from '../../components/toast.js';
import { t } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';
import { useLiveRoom } from '../../lib/live-updates.js';
import { useShortcuts } from '../../lib/shortcuts.js';
import { useSession } from '../auth/session.js';
import { Composer, type ComposerMode } from './composer.js';
import { CustomerPanel } from './customer-panel.js';
import { PropertiesPanel } from './properties-panel.js';
import { useEvents, useMessages, useTicket, useUpdateTicket } from './ticket-api.js';
import { ForwardDialog, MergeDialog, SplitDialog } from './ticket-dialogs.js';
import { Timeline } from './timeline.js';
import { TicketIntegrationBadges } from './ticket-integrations.js';

type DialogName = 'merge' | 'split' | 'forward' | null;

export function TicketPage({ number }: { number: number }) {
  const { me } = useSession();
  const ticket = useTicket(number);
  const messages = useMessages(number);
  const events = useEvents(number);
  const update = useUpdateTicket(number);
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [focusSignal, setFocusSignal] = useState(0);
  const [dialog, setDialog] = useState<DialogName>(null);
  const statusRef = useRef<HTMLSelectElement>(null);
  useLiveRoom(`ticket:${number}`);

  const keep = () =>
    update.mutate({ assigneeId: me.id }, { onSuccess: () => toast(t('ticket.keptToast', { number })) });
  const compose = (m: ComposerMode) => {
    setMode(m);
    setFocusSignal((n) => n + 1);
  };
  useShortcuts([
    { key: 'r', help: 'shortcuts.reply', run: () => compose('reply') },
    { key: 'n', help: 'shortcuts.note', run: () => compose('note') },
    { key: 'a', help: 'shortcuts.assignToMe', run: keep },
    { key: 's', help: 'shortcuts.status', run: () => statusRef.current?.focus() },
    { key: 'u', help: 'shortcuts.backToList', run: () => window.history.back() },
  ]);

  if (ticket.isPending) return <Loading />;
  if (ticket.isError) return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  const tk = ticket.data;
  const mine = tk.assignee?.id === me.id;

  return (
    <div className="page ticket-page">
      <header className="ticket-header">
        <div className="ticket-title">
          <button type="button" className="icon-button back" aria-label={t('ticket.back')} onClick={() => window.history.back()}>
            ←
          </button>
          <h1>
            <span className="ticket-number">#{tk.number}</span> {tk.subject}
          </h1>
          <StatusBadge status={tk.status} />
          <PriorityBadge priority={tk.priority} />
          <SlaCountdown sla={tk.sla} />
          {tk.spam && <span className="badge spam">{t('ticket.spam')}</span>}
          <TicketIntegrationBadges number={tk.number} />
        </div>
        <div className="header-actions">
          <button type="button" className="button" onClick={keep} disabled={mine}>
            <Icon name="user" /> {mine ? t('ticket.isMine') : t('ticket.keep')}
          </button>
          <button type="button" className="button" onClick={() => setDialog('forward')}>
            {t('ticket.forward')}
          </button>
          <Menu
            label={t('ticket.more')}
            trigger={
              <button type="button" className="button">
                {t('ticket.more')} <Icon name="chevron" size={12} />
              </button>
            }
            items={[
              { label: t('ticket.merge'), onSelect: () => setDialog('merge') },
              { label: t('ticket.split'), onSelect: () => setDialog('split') },
              { label: tk.starred ? t('list.unstar') : t('list.star'), onSelect: () => update.mutate({ starred: !tk.starred }) },
              'separator',
              { label: tk.spam ? t('ticket.notSpam') : t('ticket.markSpam'), onSelect: () => update.mutate({ spam: !tk.spam }), danger: !tk.spam },
            ]}
          />
        </div>
      </header>
      {tk.mergedIntoNumber !== null && (
        <p className="notice">
          {t('ticket.mergedInto')} <Link to={`/tickets/${tk.mergedIntoNumber}`}>#{tk.mergedIntoNumber}</Link>
        </p>
      )}
      {tk.splitFromNumber !== null && (
        <p className="notice">
          {t('ticket.splitFrom')} <Link to={`/tickets/${tk.splitFromNumber}`}>#{tk.splitFromNumber}</Link>
        </p>
      )}
      <div className="ticket-layout">
        <div className="ticket-main">
          {messages.isPending || events.isPending ? (
            <Loading />
          ) : messages.isError ? (
            <ErrorState error={messages.error} onRetry={() => void messages.refetch()} />
          ) : (
            <Timeline ticket={tk} messages={messages.data} events={events.data ?? []} />
          )}
          <Composer ticket={tk} mode={mode} onModeChange={setMode} focusSignal={focusSignal} />
        </div>
        <aside className="ticket-side">
          <PropertiesPanel ticket={tk} statusRef={statusRef} />
          <CustomerPanel ticket={tk} />
        </aside>
      </div>
      {dialog === 'merge' && <MergeDialog ticket={tk} onClose={() => setDialog(null)} />}
      {dialog === 'forward' && <ForwardDialog ticket={tk} onClose={() => setDialog(null)} />}
      {dialog === 'split' && messages.data && <SplitDialog ticket={tk} messages={messages.data} onClose={() => setDialog(null)} />}
    </div>
  );
}
