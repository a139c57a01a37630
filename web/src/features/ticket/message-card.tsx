import { Icon } from '../../components/icons.js';
import { dateTime, fileSize } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';
import type { Attachment, Message } from '../../lib/types.js';
import { MailFrame } from './mail-frame.js';

// Only paragraphs and line breaks: plain text, rendered by React (escaped) without a frame.
const PLAIN = /^(?:<\/?p>|<br\s*\/?>|[^<])*$/i;

function Attachments({ items }: { items: Attachment[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="attachments" aria-label={t('message.attachments')}>
      {items.map((a) => (
        <li key={a.id} className="attachment">
          {a.contentType.startsWith('image/') && !a.contentType.includes('svg') ? (
            <a href={a.url} target="_blank" rel="noreferrer" className="attachment-preview">
              <img src={a.url} alt={a.filename} loading="lazy" />
            </a>
          ) : (
            <Icon name="clip" />
          )}
          <a href={a.url} download={a.filename}>
            {a.filename}
          </a>
          <span className="muted">{fileSize(a.size)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Customer messages, public replies and internal notes look different at a glance: colour, label, icon, side. */
export function MessageCard({ message, mentionName }: { message: Message; mentionName: (id: string) => string }) {
  const { kind } = message;
  const label = kind === 'note' ? t('message.note') : kind === 'reply' ? t('message.reply') : t('message.customer');
  return (
    <article className={`message message-${kind}`} aria-label={`${label}: ${message.author.name}`} data-message-id={message.id}>
      <header className="message-header">
        <span className={`message-kind kind-${kind}`}>
          <Icon name={kind === 'note' ? 'lock' : kind === 'reply' ? 'reply' : 'user'} size={14} />
          {label}
        </span>
        <strong className="message-author">{message.author.name}</strong>
        <time className="muted" dateTime={message.createdAt}>
          {dateTime(message.createdAt)}
        </time>
        {message.mergedFromNumber !== null && <span className="muted">{t('message.mergedFrom', { number: message.mergedFromNumber })}</span>}
      </header>
      <div className="message-body">
        {PLAIN.test(message.bodyHtml) ? <div className="plain-body">{message.bodyText}</div> : <MailFrame html={message.bodyHtml} title={t('message.frameTitle', { author: message.author.name })} />}
      </div>
      {kind === 'note' && message.mentions.length > 0 && (
        <p className="mentions">
          {t('message.mentioned')} {message.mentions.map((id) => `@${mentionName(id)}`).join(', ')}
        </p>
      )}
      <Attachments items={message.attachments} />
    </article>
  );
}
