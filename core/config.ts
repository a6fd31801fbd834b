/**
 * Configuration from the environment, validated once at start-up. A bad value stops the process
 * with a message naming the variable; secrets are never printed.
 */
import { z } from 'zod';
import { parseDataKeys } from './privacy/field-crypto.js';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const riskLevel = z.enum(['elevated', 'high', 'emergency']);
const optionalText = z.string().trim().min(1).optional();
const url = z.string().url();

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: url.optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL').optional(),
  /** Connections in each instance's database pool (PostgreSQL); the event bus adds two of its own. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  DATA_DIR: z.string().default('./data'),
  /** PostgreSQL not reachable at start-up: keep retrying (with backoff) this long before giving up; 0 gives up at once. */
  DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  APP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Keys that seal what people say at rest: "id:base64key,..." (first is current). Default: derived from APP_SECRET. */
  DATA_KEYS: z
    .string()
    .superRefine((value, ctx) => {
      try {
        parseDataKeys(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  DEFAULT_LOCALE: z.enum(['vi', 'en']).default('vi'),
  RISK_HANDOFF_LEVEL: riskLevel.default('high'),
  HANDOFF_SLA_SECONDS: z.coerce.number().int().min(5).default(60),
  SLA_SCAN_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  /** Fair assignment: how long a waiting chat stays offered to one available counsellor before it goes to the next. */
  HANDOFF_OFFER_SECONDS: z.coerce.number().int().min(5).max(600).default(45),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(12),
  /** Sends in flight at once per instance, across conversations (each conversation stays in order). */
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  /** How long a message being sent is reserved for one instance; after it, another instance may send it (a crashed sender). */
  OUTBOX_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Embedded database only: how often tables are checked for VACUUM/ANALYZE (PGlite has no autovacuum). */
  DB_MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  CONSOLE_ADMIN_EMAIL: z.string().email().optional(),
  CONSOLE_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_API_ROOT: url.default('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'only letters, digits, _ and -').optional(),
  LINE_CHANNEL_SECRET: optionalText,
  LINE_CHANNEL_ACCESS_TOKEN: optionalText,
  LINE_API_BASE_URL: url.default('https://api.line.me'),
  ZALO_OA_SECRET_KEY: optionalText,
  ZALO_APP_ID: optionalText,
  ZALO_ACCESS_TOKEN: optionalText,
  ZALO_REFRESH_TOKEN: optionalText,
  ZALO_APP_SECRET: optionalText,
  ZALO_API_BASE_URL: url.default('https://openapi.zalo.me'),
  ZALO_OAUTH_BASE_URL: url.default('https://oauth.zaloapp.com'),
  WEBCHAT_ENABLED: bool.default(true),
  QUICK_EXIT_URL: url.default('https://www.google.com/search?q=thoi+tiet+hom+nay'),
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TENANT_ID: optionalText,
  BOTFRAMEWORK_OPENID_METADATA_URL: url.optional(),
  BOTFRAMEWORK_TOKEN_ISSUER: optionalText,
  BOTFRAMEWORK_LOGIN_URL: url.optional(),
  BOTFRAMEWORK_OAUTH_SCOPE: optionalText,
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  METRICS_ENABLED: bool.default(true),
  /** Bearer token for GET /metrics; without it /metrics is open in development/test and refused in production. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Per client address (kept in memory only): webhook calls per minute (platforms send from few addresses). */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** Per client address: new web chats per minute (token + start); resume codes asked for or tried: half that. */
  WEBCHAT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(2).default(20),
  /** Behind a reverse proxy: "true" (trust X-Forwarded-For), a hop count, or proxy addresses (comma-separated). Off by default. */
  TRUST_PROXY: z.string().trim().min(1).optional(),
  /** Console login attempts per minute, service-wide, before logins are slowed down and supervisors alerted. */
  LOGIN_ALERT_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  /** LINE and Zalo events older than this (by their own timestamps) are acknowledged but not processed (replays). */
  WEBHOOK_EVENT_MAX_AGE_SECONDS: z.coerce.number().int().min(30).default(600),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; empty strings count as unset. Throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const has = (name: string) => name in cleaned;
  if (has('DATABASE_URL') && !has('APP_SECRET')) {
    problems.push('APP_SECRET: required with DATABASE_URL (every instance must share it: it keys pseudonyms and report encryption)');
  }
  if (has('CONSOLE_ADMIN_EMAIL') !== has('CONSOLE_ADMIN_PASSWORD')) {
    problems.push('CONSOLE_ADMIN_EMAIL and CONSOLE_ADMIN_PASSWORD: set both or neither');
  }
  if (has('LINE_CHANNEL_SECRET') !== has('LINE_CHANNEL_ACCESS_TOKEN')) {
    problems.push('LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN: set both or neither');
  }
  // Zalo is on only with all three; a partial set is a mistake to report, not a channel to leave silently off.
  const zaloRequired = ['ZALO_OA_SECRET_KEY', 'ZALO_APP_ID', 'ZALO_ACCESS_TOKEN'];
  const zaloAny = [...zaloRequired, 'ZALO_REFRESH_TOKEN', 'ZALO_APP_SECRET'].some(has);
  const zaloMissing = zaloRequired.filter((name) => !has(name));
  if (zaloAny && zaloMissing.length) {
    problems.push(`${zaloMissing.join(', ')}: required for Zalo (set ZALO_OA_SECRET_KEY, ZALO_APP_ID and ZALO_ACCESS_TOKEN together, or none)`);
  }
  if (cleaned.TELEGRAM_MODE === 'webhook' && !has('TELEGRAM_WEBHOOK_SECRET')) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook');
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const config = parsed.data;
  return config;
}

export type DatabaseConfig = { kind: 'postgres'; url: string; poolSize?: number } | { kind: 'pglite'; dataDir: string | null };

/** Which database to open: PostgreSQL when DATABASE_URL is set, otherwise PGlite under DATA_DIR. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  const poolSize = Number(env.DATABASE_POOL_SIZE);
  if (url) return { kind: 'postgres', url, ...(Number.isInteger(poolSize) && poolSize > 0 ? { poolSize } : {}) };
  return { kind: 'pglite', dataDir: env.DATA_DIR?.trim() || './data' };
}
