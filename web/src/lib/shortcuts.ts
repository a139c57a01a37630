import { useEffect, useRef } from 'react';
import type { MessageKey } from './i18n.js';

/**
 * Keyboard shortcuts: one keydown listener, handlers registered by the screens that own them.
 * Keys typed into inputs are left alone (Escape excepted), and so are keys with Ctrl/Meta/Alt.
 */
export interface Shortcut {
  key: string;
  help: MessageKey;
  run: (e: KeyboardEvent) => void;
}

const active: Shortcut[][] = [];
const listeners = new Set<() => void>();

export function activeShortcuts(): Shortcut[] {
  const seen = new Set<string>();
  return active
    .flat()
    .reverse()
    .filter((s) => (seen.has(s.key) ? false : (seen.add(s.key), true)));
}

export function onShortcutsChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

let installed = false;
function install() {
  if (installed) return;
  installed = true;
  window.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typing(e.target) && e.key !== 'Escape') return;
    // An open dialog owns the keyboard.
    if (document.querySelector('[role="dialog"]') && e.key !== 'Escape') return;
    for (let i = active.length - 1; i >= 0; i--) {
      const s = active[i]!.find((x) => x.key === e.key);
      if (s) {
        e.preventDefault();
        s.run(e);
        return;
      }
    }
  });
}

/** Registers shortcuts while the calling component is mounted; later registrations win. */
export function useShortcuts(list: Shortcut[]): void {
  const ref = useRef(list);
  ref.current = list;
  const keys = list.map((s) => s.key + s.help).join('|');
  useEffect(() => {
    install();
    const proxied = ref.current.map((s) => ({ ...s, run: (e: KeyboardEvent) => ref.current.find((x) => x.key === s.key)?.run(e) }));
    active.push(proxied);
    for (const fn of listeners) fn();
    return () => {
      const i = active.indexOf(proxied);
      if (i >= 0) active.splice(i, 1);
      for (const fn of listeners) fn();
    };
  }, [keys]);
}
