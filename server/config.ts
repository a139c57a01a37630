import { resolve } from 'node:path';
import { z } from 'zod';

const ROLES = ['web', 'smtp', 'worker'] as const;
export type ProcessRole = (typeof ROLES)[number];

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TESSERA_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave unset for SQLite)')
    .refine(canParse, 'is not a valid URL')
    // Without a name the driver connects to the database named like the user, usually the
    // maintenance database `postgres`, and Tessera's tables would be created there.
    .refine((u) => !canParse(u) || databaseName(u) !== '', 'must name the database, e.g. postgres://user@host:5432/tessera')
    .optional(),
  TESSERA_ROLES: z.string().default('web,smtp,worker'),
  // Links in mail and the SMS signature are built from it, so a bare host ("example.com") would break them.
  TESSERA_PUBLIC_URL: z.string().regex(/^https?:\/\/[^/]/i, 'must start with http:// or https://').refine(canParse, 'is not a valid URL').optional(),
  TESSERA_ADMIN_EMAIL: z.string().email().optional(),
  TESSERA_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  TESSERA_MAX_ATTACHMENT_MB: z.coerce.number().positive().default(25),
  TESSERA_SESSION_HOURS: z.coerce.number().positive().default(24 * 14),
  TESSERA_LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().positive().default(10),
  TESSERA_PG_POOL_SIZE: z.coerce.number().int().positive().default(10),
  TESSERA_SWEEP_SECONDS: z.coerce.number().positive().default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  roles: ProcessRole[];
  publicUrl: string;
  secureCookies: boolean;
  admin: { email: string | undefined; password: string | undefined };
  maxAttachmentBytes: number;
  sessionTtlMs: number;
  loginAttemptsPerMinute: number;
  pgPoolSize: number;
  /** How often the time-rule sweep of automations runs. */
  sweepMs: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

function canParse(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** One line per problem would scroll past in a service log; one line names them all. */
function invalid(issues: string[]): ConfigError {
  return new ConfigError(`Invalid configuration: ${issues.join('; ')}`);
}

/** Reads the environment once into a typed, validated Config; every entry point uses this. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const roles = e.TESSERA_ROLES.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw invalid([`TESSERA_ROLES: expected a list of ${ROLES.join(', ')}`]);
  }
  const publicUrl = (e.TESSERA_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.TESSERA_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    roles: roles as ProcessRole[],
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    admin: { email: e.TESSERA_ADMIN_EMAIL, password: e.TESSERA_ADMIN_PASSWORD },
    maxAttachmentBytes: Math.round(e.TESSERA_MAX_ATTACHMENT_MB * 1024 * 1024),
    sessionTtlMs: e.TESSERA_SESSION_HOURS * 3600_000,
    loginAttemptsPerMinute: e.TESSERA_LOGIN_ATTEMPTS_PER_MINUTE,
    pgPoolSize: e.TESSERA_PG_POOL_SIZE,
    sweepMs: Math.round(e.TESSERA_SWEEP_SECONDS * 1000),
    logLevel: e.LOG_LEVEL,
  };
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
