import type { SVGProps } from 'react';

// A handful of 16px stroke icons, inline so they cost a few hundred bytes, not an icon font.
const PATHS = {
  star: 'M8 1.8l1.9 3.9 4.3.6-3.1 3 .7 4.3L8 11.6l-3.8 2 .7-4.3-3.1-3 4.3-.6z',
  lock: 'M4.5 7V5a3.5 3.5 0 017 0v2M3.5 7h9v7h-9z',
  reply: 'M6.5 4L2.5 8l4 4M2.5 8H10a3.5 3.5 0 013.5 3.5V13',
  user: 'M8 8a3 3 0 100-6 3 3 0 000 6zM2.5 14.5c.6-2.8 2.8-4.5 5.5-4.5s4.9 1.7 5.5 4.5',
  clip: 'M13 7.5l-5.3 5.3a3.2 3.2 0 01-4.5-4.5L8.8 2.7a2.1 2.1 0 013 3L6.2 11.3a1 1 0 01-1.5-1.5L9.8 4.7',
  search: 'M7 12A5 5 0 107 2a5 5 0 000 10zM10.6 10.6L14 14',
  sun: 'M8 11a3 3 0 100-6 3 3 0 000 6zM8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1 1M12 12l1 1M3 13l1-1M12 4l1-1',
  moon: 'M13.5 9.5A5.5 5.5 0 016.5 2.5a5.5 5.5 0 107 7z',
  menu: 'M2 4h12M2 8h12M2 12h12',
  check: 'M3 8.5l3 3 7-7',
  x: 'M4 4l8 8M12 4l-8 8',
  chevron: 'M4 6l4 4 4-4',
  inbox: 'M2 9l2-6h8l2 6v4H2zM2 9h3.5l1 1.5h3l1-1.5H14',
  gear: 'M8 10.5a2.5 2.5 0 100-5 2.5 2.5 0 000 5zM8 1v2M8 13v2M1 8h2M13 8h2M3 3l1.4 1.4M11.6 11.6L13 13M3 13l1.4-1.4M11.6 4.4L13 3',
  people: 'M6 7.5a2.5 2.5 0 100-5 2.5 2.5 0 000 5zM1.5 14c.4-2.5 2.2-4 4.5-4s4.1 1.5 4.5 4M11 2.7a2.5 2.5 0 010 4.6M12.5 10.3c1.2.6 2 1.9 2.2 3.7',
  keyboard: 'M1.5 4h13v8h-13zM4 6.5h.01M6.5 6.5h.01M9 6.5h.01M11.5 6.5h.01M4.5 9.5h7',
  filter: 'M2 3h12L9.5 8.5V13l-3-1.5v-3z',
  alert: 'M8 1.5l6.5 12h-13zM8 6v3.5M8 11.5v.5',
  image: 'M2 3h12v10H2zM2 11l3.5-3.5 3 3 2-2L14 12M10.5 6.5h.01',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16, filled = false, ...rest }: { name: IconName; size?: number; filled?: boolean } & SVGProps<SVGSVGElement>) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" {...rest}>
      <path d={PATHS[name]} />
    </svg>
  );
}
