import { z } from 'zod';
import { ConfigError } from '../../config.js';

const envSchema = z.object({
  TESSERA_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  TESSERA_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  TESSERA_SMTP_TLS_KEY: z.string().min(1).optional(),
  TESSERA_SMTP_TLS_CERT: z.string().min(1).optional(),
  TESSERA_MAX_MAIL_MB: z.coerce.number().positive().default(40),
  TESSERA_MAX_MAIL_ATTACHMENTS_MB: z.coerce.number().positive().default(30),
  TESSERA_MAIL_HOSTNAME: z.string().min(1).optional(),
});

export interface MailConfig {
  smtpHost: string;
  smtpPort: number;
  /** PEM files for STARTTLS; both or neither. */
  tls: { keyFile: string; certFile: string } | null;
  /** Largest raw message accepted by any inbound path (SMTP answers 552 above it). */
  maxMailBytes: number;
  /** Attachments of one message together; files past it are dropped and noted. */
  maxMailAttachmentsBytes: number;
  /** Name the SMTP listener greets with. */
  hostname: string | undefined;
}

/**
 * Mail settings from the environment, validated like the main Config. Kept beside the mail
 * mechanisms so the mail roles can be configured without touching the core settings.
 */
export function loadMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(clean);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.TESSERA_SMTP_TLS_KEY) !== Boolean(e.TESSERA_SMTP_TLS_CERT)) {
    throw new ConfigError('Invalid configuration:\n  TESSERA_SMTP_TLS_KEY / TESSERA_SMTP_TLS_CERT: set both (PEM files) or neither');
  }
  return {
    smtpHost: e.TESSERA_SMTP_HOST,
    smtpPort: e.TESSERA_SMTP_PORT,
    tls: e.TESSERA_SMTP_TLS_KEY && e.TESSERA_SMTP_TLS_CERT ? { keyFile: e.TESSERA_SMTP_TLS_KEY, certFile: e.TESSERA_SMTP_TLS_CERT } : null,
    maxMailBytes: Math.round(e.TESSERA_MAX_MAIL_MB * 1024 * 1024),
    maxMailAttachmentsBytes: Math.round(e.TESSERA_MAX_MAIL_ATTACHMENTS_MB * 1024 * 1024),
    hostname: e.TESSERA_MAIL_HOSTNAME,
  };
}
