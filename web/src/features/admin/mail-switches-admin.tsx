import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorState, Loading } from '../../components/states.js';
import { toast, toastError } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import type { CustomerMailSettings, CustomerNotificationKey, Mailbox } from './admin-types.js';
import { TEMPLATE_LABEL } from './template-labels.js';

// Mirrors CUSTOMER_NOTIFICATION_KEYS in contracts/customer-notifications.ts (type-only imports keep zod out).
const KEYS: CustomerNotificationKey[] = ['acknowledgement', 'reply', 'status_waiting', 'status_resolved', 'status_closed'];
const PATH = '/api/v1/customer-notifications/settings';

/** Which customer mails are sent: global switches, and per mailbox an override (on, off, or as globally). */
export function MailSwitchesAdmin({ mailboxes }: { mailboxes: Mailbox[] }) {
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['customer-mail-settings'], queryFn: () => api.get<CustomerMailSettings>(PATH) });
  const change = useMutation({
    mutationFn: (body: { mailboxId: string | null; enabled: Partial<Record<CustomerNotificationKey, boolean | null>> }) => api.patch<CustomerMailSettings>(PATH, body),
    onSuccess: (next) => {
      qc.setQueryData(['customer-mail-settings'], next);
      toast(t('common.saved'));
    },
    onError: (e) => toastError(e),
  });
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} />;
  const { global, mailboxes: overrides } = settings.data;
  return (
    <table className="simple-table">
      <thead>
        <tr>
          <th>{t('switches.mail')}</th>
          <th>{t('switches.global')}</th>
          {mailboxes.map((m) => <th key={m.id}>{m.address}</th>)}
        </tr>
      </thead>
      <tbody>
        {KEYS.map((k) => (
          <tr key={k}>
            <td>{t(TEMPLATE_LABEL[k])}</td>
            <td>
              <label className="check">
                <input type="checkbox" checked={global[k]} disabled={change.isPending} onChange={(e) => change.mutate({ mailboxId: null, enabled: { [k]: e.target.checked } })} />
                {global[k] ? t('switches.sent') : t('switches.notSent')}
              </label>
            </td>
            {mailboxes.map((m) => {
              const o = overrides.find((x) => x.mailboxId === m.id)?.overrides[k];
              const value = o === undefined ? 'inherit' : o ? 'on' : 'off';
              return (
                <td key={m.id}>
                  <select
                    aria-label={t('switches.override', { mail: t(TEMPLATE_LABEL[k]), mailbox: m.address })}
                    value={value}
                    disabled={change.isPending}
                    onChange={(e) => change.mutate({ mailboxId: m.id, enabled: { [k]: e.target.value === 'inherit' ? null : e.target.value === 'on' } })}
                  >
                    <option value="inherit">{t('switches.inherit', { state: global[k] ? t('switches.sent') : t('switches.notSent') })}</option>
                    <option value="on">{t('switches.sent')}</option>
                    <option value="off">{t('switches.notSent')}</option>
                  </select>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
