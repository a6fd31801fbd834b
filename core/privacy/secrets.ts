/**
 * The application secret keys pseudonyms (HMAC) and report encryption (AES-256-GCM), each
 * through its own HKDF-derived key. With DATABASE_URL it must come from APP_SECRET (shared by
 * every instance); on the embedded database one is generated once into DATA_DIR/app-secret.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { keyringFor, type DataKeyring } from './field-crypto.js';
import type { ReportKeys } from '../reports/crypto.js';

export interface AppKeys {
  pseudonymKey: Buffer;
  /** Seals report bodies: the data keyring plus the report key of earlier versions (still readable). */
  encryptionKey: ReportKeys;
  /** Signs short-lived tokens (Direct Line, console sessions). */
  tokenKey: Buffer;
  /** Seals what people say at rest (DATA_KEYS, or a key derived from the secret). */
  dataKeys: DataKeyring;
}

export function deriveKeys(secret: string, dataKeys?: string): AppKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'hotline-111', info, 32));
  const ring = keyringFor(secret, dataKeys);
  return { pseudonymKey: derive('pseudonym'), encryptionKey: { ...ring, legacy: derive('report-encryption') }, tokenKey: derive('tokens'), dataKeys: ring };
}

/** APP_SECRET, or the generated secret of this embedded database (created on first use). */
export function resolveAppSecret(options: { appSecret?: string; dataDir: string | null }): string {
  if (options.appSecret) return options.appSecret;
  if (!options.dataDir) return randomBytes(32).toString('base64url');
  const file = path.join(options.dataDir, 'app-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(options.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
