import { z } from 'zod';
import { patchOf } from './common.js';

/** Installation-wide settings; every field has a default so a fresh install needs none. */
export const settingsSchema = z.object({
  helpdeskName: z.string().trim().min(1).max(100).default('Tessera'),
  timeZone: z
    .string()
    .max(60)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Berlin')
    .default('UTC'),
  defaultLocale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a locale such as en or pt-BR').default('en'),
});
export type Settings = z.infer<typeof settingsSchema>;
export const updateSettingsRequest = patchOf(settingsSchema);
