/**
 * Report bodies at rest, sealed under the data keyring (core/privacy/field-crypto.ts) and bound to
 * the report's reference code by AAD, so a body cannot be moved to another report. Bodies written
 * before the keyring ("v1.<iv>.<tag>.<ciphertext>" under the report key derived from APP_SECRET)
 * stay readable; `npm run keys:rotate` re-seals them.
 */
import { createDecipheriv } from 'node:crypto';
import { isSealed, openJson, sealJson, type DataKeyring } from '../privacy/field-crypto.js';

/** The keys report bodies are sealed with: the data keyring, plus the pre-keyring report key. */
export type ReportKeys = DataKeyring & { legacy?: Buffer };

export function encryptJson(keys: ReportKeys, value: unknown, aad: string): string {
  return sealJson(keys, value, aad);
}

export function decryptJson<T = unknown>(keys: ReportKeys, sealed: string, aad: string): T {
  if (isSealed(sealed)) return openJson<T>(keys, sealed, aad);
  const [version, iv, tag, body] = (sealed as string).split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined || !keys.legacy) throw new Error('unknown ciphertext format');
  const decipher = createDecipheriv('aes-256-gcm', keys.legacy, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as T;
}
