import { Dialog as D } from 'radix-ui';
import type { ReactNode } from 'react';
import { t } from '../lib/i18n.js';
import { Icon } from './icons.js';

/** A modal built on Radix Dialog: focus trap, Escape, aria wiring. */
export function Dialog({ open, onOpenChange, title, children, wide }: { open: boolean; onOpenChange: (open: boolean) => void; title: string; children: ReactNode; wide?: boolean }) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <D.Portal>
        <D.Overlay className="dialog-overlay" />
        <D.Content className={wide ? 'dialog dialog-wide' : 'dialog'} aria-describedby={undefined}>
          <header className="dialog-header">
            <D.Title className="dialog-title">{title}</D.Title>
            <D.Close className="icon-button" aria-label={t('common.close')}>
              <Icon name="x" />
            </D.Close>
          </header>
          {children}
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}
