import { useEffect, useState } from 'react';
import { dateTime } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import type { Ticket } from '../../lib/types.js';
import './sla.css';

function span(ms: number): string {
  const min = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60 ? `${min % 60} min` : ''}`.trim();
  return `${Math.round(h / 24)} d`;
}

/** Re-renders once a minute so a countdown stays true while the page is open. */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/** "First response due in 45 min", red once breached or overdue, grey while paused. */
export function SlaCountdown({ sla }: { sla: Ticket['sla'] }) {
  const now = useMinuteClock();
  if (!sla) return null;
  const target = t(`sla.target.${sla.target}`);
  if (sla.paused || !sla.dueAt) return <span className="badge sla sla-paused" data-sla="paused">{t('sla.paused', { target })}</span>;
  const left = new Date(sla.dueAt).getTime() - now;
  const late = left <= 0;
  const text = late ? t('sla.overdue', { target, time: span(left) }) : t('sla.dueIn', { target, time: span(left) });
  const cls = sla.breached || late ? 'sla-breached' : left < 3600_000 ? 'sla-soon' : 'sla-ok';
  return (
    <span className={`badge sla ${cls}`} data-sla={sla.breached || late ? 'breached' : 'running'} title={dateTime(sla.dueAt)}>
      {text}
    </span>
  );
}
