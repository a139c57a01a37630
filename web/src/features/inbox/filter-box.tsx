import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Icon } from '../../components/icons.js';
import { t } from '../../lib/i18n.js';
import { useFilterFields, useGroups, useStaff } from '../../lib/queries.js';
import { useShortcuts } from '../../lib/shortcuts.js';
import { applySuggestion, suggest, type SuggestResult } from './filter-suggest.js';

/** The one search box: takes the filter language, suggests fields and their values as you type. */
export function FilterBox({ value, onChange, onSubmit, error }: { value: string; onChange: (v: string) => void; onSubmit: (v: string) => void; error?: string | null }) {
  const fields = useFilterFields();
  const staff = useStaff();
  const groups = useGroups();
  const input = useRef<HTMLInputElement>(null);
  const [caret, setCaret] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  useShortcuts([{ key: '/', help: 'shortcuts.search', run: () => input.current?.focus() }]);

  const extra = (field: string): string[] => {
    if (field === 'assignee') return (staff.data ?? []).map((u) => u.email);
    if (field === 'group') return (groups.data ?? []).map((g) => g.name);
    return [];
  };
  const result: SuggestResult = useMemo(
    () => (open ? suggest(value, caret, fields.data ?? [], extra) : { from: 0, to: 0, items: [] }),
    [open, value, caret, fields.data, staff.data, groups.data],
  );
  const items = result.items;

  const pick = (i: number) => {
    const s = items[i];
    if (!s) return;
    const next = applySuggestion(value, result, s);
    onChange(next.text);
    setCaret(next.caret);
    setActive(0);
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(next.caret, next.caret);
      input.current?.focus();
    });
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (items.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
    } else if (items.length > 0 && (e.key === 'Tab' || (e.key === 'Enter' && active >= 0 && open))) {
      e.preventDefault();
      pick(active);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      setOpen(false);
      onSubmit(value);
    } else if (e.key === 'Escape') {
      if (items.length) setOpen(false);
      else input.current?.blur();
    }
  };

  return (
    <div className="filter-box">
      <div className={error ? 'search-input has-error' : 'search-input'}>
        <Icon name="search" />
        <input
          ref={input}
          type="search"
          role="combobox"
          aria-label={t('filter.label')}
          aria-expanded={items.length > 0}
          aria-controls="filter-suggestions"
          aria-autocomplete="list"
          aria-activedescendant={items.length ? `filter-opt-${active}` : undefined}
          placeholder={t('filter.placeholder')}
          value={value}
          spellCheck={false}
          onChange={(e) => {
            onChange(e.target.value);
            setCaret(e.target.selectionStart ?? e.target.value.length);
            setOpen(true);
            setActive(0);
          }}
          onKeyDown={onKey}
          onKeyUp={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onClick={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
        />
      </div>
      {items.length > 0 && (
        <ul className="suggestions" id="filter-suggestions" role="listbox" aria-label={t('filter.suggestions')}>
          {items.map((s, i) => (
            <li
              key={s.label}
              id={`filter-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'suggestion active' : 'suggestion'}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(i);
              }}
            >
              <span className="suggestion-label">{s.label}</span>
              <span className="suggestion-detail">{s.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
