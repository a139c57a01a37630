import { forwardRef, useLayoutEffect, useRef, useState, type KeyboardEvent, type TextareaHTMLAttributes } from 'react';
import { t } from '../../lib/i18n.js';
import type { User } from '../../lib/types.js';

/** The @handle we insert: the email's local part, which the server resolves to the agent. */
export const handleOf = (u: User): string => u.email.split('@')[0]!;

interface Props extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> {
  value: string;
  onChange: (v: string) => void;
  people: User[] | null;
}

/** A textarea that offers agents after "@" (only when people is given, i.e. in notes). */
export const MentionInput = forwardRef<HTMLTextAreaElement, Props>(function MentionInput({ value, onChange, people, onKeyDown, ...rest }, ref) {
  const [query, setQuery] = useState<{ text: string; start: number } | null>(null);
  const [active, setActive] = useState(0);
  const matches = query && people ? people.filter((u) => u.active && (u.name.toLowerCase().includes(query.text) || u.email.toLowerCase().startsWith(query.text))).slice(0, 8) : [];

  const detect = (text: string, caret: number) => {
    const m = /(^|[\s(])@([\p{L}\p{N}._+-]*)$/u.exec(text.slice(0, caret));
    setQuery(m && people ? { text: m[2]!.toLowerCase(), start: caret - m[2]!.length - 1 } : null);
    setActive(0);
  };

  // Where the caret goes once the inserted handle is on screen. Set as the new value is rendered,
  // in the same turn as the key that chose the agent: set a frame later, it landed behind a
  // letter typed in between and the rest of the sentence went in before that letter.
  const caretAfter = useRef<{ el: HTMLTextAreaElement; value: string; pos: number } | null>(null);
  useLayoutEffect(() => {
    const c = caretAfter.current;
    caretAfter.current = null;
    if (!c || c.el.value !== c.value) return;
    c.el.setSelectionRange(c.pos, c.pos);
    c.el.focus();
  });

  const insert = (u: User, el: HTMLTextAreaElement) => {
    if (!query) return;
    const caret = el.selectionStart;
    const next = `${value.slice(0, query.start)}@${handleOf(u)} ${value.slice(caret)}`;
    caretAfter.current = { el, value: next, pos: query.start + handleOf(u).length + 2 };
    onChange(next);
    setQuery(null);
  };

  const keys = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(matches[active]!, e.currentTarget);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setQuery(null);
        return;
      }
    }
    onKeyDown?.(e);
  };

  return (
    <div className="mention-input">
      <textarea
        ref={ref}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          detect(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={keys}
        onBlur={() => setTimeout(() => setQuery(null), 150)}
        {...rest}
      />
      {matches.length > 0 && (
        <ul className="suggestions mention-suggestions" role="listbox" aria-label={t('composer.mentionSuggestions')}>
          {matches.map((u, i) => (
            <li
              key={u.id}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'suggestion active' : 'suggestion'}
              onMouseDown={(e) => {
                e.preventDefault();
                const el = (e.currentTarget.closest('.mention-input') as HTMLElement).querySelector('textarea')!;
                insert(u, el);
              }}
            >
              <span className="suggestion-label">{u.name}</span>
              <span className="suggestion-detail">@{handleOf(u)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
