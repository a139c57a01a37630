import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api.js';
import { t } from '../../lib/i18n.js';
import { ticketKey } from './ticket-api.js';

interface CsatRating {
  rating: number;
  scale: 'good_bad' | 'five';
  comment: string | null;
}

interface Transfer {
  trackerName: string;
  externalId: string;
  externalUrl: string | null;
  externalStatus: 'transferred' | 'in_progress' | 'resolved';
}

/** Header badges: the customer's satisfaction rating and the external issue a ticket was transferred to. */
export function TicketIntegrationBadges({ number }: { number: number }) {
  const csat = useQuery({ queryKey: [...ticketKey(number), 'csat'], queryFn: () => api.get<{ rating: CsatRating | null }>(`/api/v1/tickets/${number}/csat`).then((r) => r.rating) });
  const transfer = useQuery({ queryKey: [...ticketKey(number), 'transfer'], queryFn: () => api.get<{ transfer: Transfer | null }>(`/api/v1/tickets/${number}/transfer`).then((r) => r.transfer) });
  const r = csat.data;
  const x = transfer.data;
  const good = r ? (r.scale === 'good_bad' ? r.rating === 1 : r.rating >= 4) : false;
  return (
    <>
      {r && (
        <span className={`badge csat ${good ? 'csat-good' : 'csat-bad'}`} data-testid="csat-badge" title={r.comment ? t('csat.commentTitle', { comment: r.comment }) : undefined} style={{ color: good ? '#1a7f37' : '#cf222e' }}>
          {r.scale === 'five' ? t('csat.badgeFive', { rating: r.rating }) : r.rating === 1 ? t('csat.badgeGood') : t('csat.badgeBad')}
        </span>
      )}
      {x && (
        <span className="badge transfer" data-testid="transfer-badge" title={t('transfer.title', { status: t(`transfer.status.${x.externalStatus}`) })}>
          {x.externalUrl ? (
            <a href={x.externalUrl} target="_blank" rel="noreferrer noopener">
              {t('transfer.issue', { tracker: x.trackerName, id: x.externalId })}
            </a>
          ) : (
            t('transfer.issue', { tracker: x.trackerName, id: x.externalId })
          )}
          {' · '}
          {t(`transfer.status.${x.externalStatus}`)}
        </span>
      )}
    </>
  );
}
