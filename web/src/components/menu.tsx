import { DropdownMenu as M } from 'radix-ui';
import type { ReactNode } from 'react';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

/** A dropdown menu built on Radix: keyboard navigation and typeahead come with it. */
export function Menu({ trigger, items, label }: { trigger: ReactNode; items: (MenuItem | 'separator')[]; label?: string }) {
  return (
    <M.Root>
      <M.Trigger asChild aria-label={label}>
        {trigger}
      </M.Trigger>
      <M.Portal>
        <M.Content className="menu" sideOffset={4} align="start">
          {items.map((item, i) =>
            item === 'separator' ? (
              <M.Separator key={i} className="menu-separator" />
            ) : (
              <M.Item key={i} className={item.danger ? 'menu-item danger' : 'menu-item'} onSelect={item.onSelect}>
                {item.label}
              </M.Item>
            ),
          )}
        </M.Content>
      </M.Portal>
    </M.Root>
  );
}
