import { z } from 'zod';
import { ConfigError } from '../../config.js';

const envSchema = z.object({
  SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\//i.test(u), 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@relay.example:587')
    .optional(),
  TESSERA_IMAP_POLL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  TESSERA_AUTO_MAIL_PER_HOUR: z.coerce.number().int().min(0).max(1000).default(3),
});

export interface OutboundMailConfig {
  /** The relay for outbound mail; null puts mail in the local outbox instead. */
  smtpUrl: string | null;
  imapPollMs: number;
  /** Automatic mail (acknowledgements, status notices) per ticket and recipient per hour. */
  autoMailPerHour: number;
}

/** Outbound mail and IMAP polling settings from the environment, validated like the main Config. */
export function loadOutboundMailConfig(env: NodeJS.ProcessEnv = process.env): OutboundMailConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(clean);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  return { smtpUrl: e.SMTP_URL ?? null, imapPollMs: e.TESSERA_IMAP_POLL_SECONDS * 1000, autoMailPerHour: e.TESSERA_AUTO_MAIL_PER_HOUR };
}

/** The relay URL without its password, for logs and the admin API. */
export function describeSmtpUrl(url: string | null): string {
  if (!url) return 'local outbox';
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'smtp relay';
  }
}
