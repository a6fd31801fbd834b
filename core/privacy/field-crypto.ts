/**
 * Encryption at rest for what people say (message text, report answers, notes, snapshots, channel
 * references): AES-256-GCM from node:crypto under a keyring. Each stored value carries the id of the
 * key that sealed it — "enc:<kid>:<iv>.<tag>.<ciphertext>" (base64url) — so keys can be rotated: new
 * values use the current key, older ones stay readable until `npm run keys:rotate` re-seals them.
 *
 * Keys: DATA_KEYS ("kid:base64key,kid2:base64key", the first is current, each 32 bytes), or one key
 * derived from APP_SECRET by HKDF (id "a1"). A value without the prefix is legacy clear text: read
 * as is, and sealed by the next rotation.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface DataKeyring {
  /** The key new values are sealed with. */
  currentId: string;
  keys: ReadonlyMap<string, Buffer>;
}

const PREFIX = 'enc:';
const KID = /^[A-Za-z0-9_-]{1,16}$/;

export class DataKeysError extends Error {
  readonly code = 'DATA_KEYS_INVALID';
}

/** Parses DATA_KEYS ("k2:base64,k1:base64"); throws DataKeysError naming the problem (never the key). */
export function parseDataKeys(spec: string): DataKeyring {
  const keys = new Map<string, Buffer>();
  let currentId = '';
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    const id = part.slice(0, colon);
    if (colon < 1 || !KID.test(id)) throw new DataKeysError('each entry must be "id:base64key" with an id of letters, digits, _ or -');
    const key = Buffer.from(part.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new DataKeysError(`key "${id}" must be 32 bytes (base64 of 32 random bytes, e.g. openssl rand -base64 32)`);
    if (keys.has(id)) throw new DataKeysError(`key id "${id}" appears twice`);
    keys.set(id, key);
    currentId ||= id;
  }
  if (!currentId) throw new DataKeysError('no key given');
  return { currentId, keys };
}

/** The keyring for this deployment: DATA_KEYS when given, else one key derived from the app secret. */
export function keyringFor(appSecret: string, dataKeys?: string): DataKeyring {
  const derived = Buffer.from(hkdfSync('sha256', appSecret, 'hotline-111', 'data-at-rest', 32));
  if (!dataKeys) return { currentId: 'a1', keys: new Map([['a1', derived]]) };
  const ring = parseDataKeys(dataKeys);
  // Values sealed before DATA_KEYS was set stay readable with the derived key (unless an entry reuses its id).
  const keys = new Map(ring.keys);
  if (!keys.has('a1')) keys.set('a1', derived);
  return { currentId: ring.currentId, keys };
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** The id of the key a stored value was sealed with (undefined for clear text). */
export function sealedKeyId(value: string): string | undefined {
  if (!isSealed(value)) return undefined;
  const end = value.indexOf(':', PREFIX.length);
  return end > 0 ? value.slice(PREFIX.length, end) : undefined;
}

export function sealText(ring: DataKeyring, plain: string, aad?: string): string {
  const key = ring.keys.get(ring.currentId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${PREFIX}${ring.currentId}:${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

/** Opens a sealed value; clear text (legacy) is returned as it is. Throws when the key is unknown or the value was tampered with. */
export function openText(ring: DataKeyring, stored: string, aad?: string): string {
  if (!isSealed(stored)) return stored;
  const kid = sealedKeyId(stored);
  const key = kid ? ring.keys.get(kid) : undefined;
  if (!key) throw new DataKeysError(`no data key "${kid}" to open a stored value: was DATA_KEYS or APP_SECRET changed?`);
  const [iv, tag, body] = stored.slice(PREFIX.length + kid!.length + 1).split('.');
  if (!iv || !tag || body === undefined) throw new DataKeysError('a stored value is not in the sealed format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  if (aad) decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

export function sealJson(ring: DataKeyring, value: unknown, aad?: string): string {
  return sealText(ring, JSON.stringify(value), aad);
}

export function openJson<T = unknown>(ring: DataKeyring, stored: string, aad?: string): T {
  return JSON.parse(openText(ring, stored, aad)) as T;
}

/** Re-seals a value with the current key when it is clear text or sealed with another key (rotation). */
export function resealIfStale(ring: DataKeyring, stored: string, aad?: string): string | undefined {
  if (sealedKeyId(stored) === ring.currentId) return undefined;
  return sealText(ring, openText(ring, stored, aad), aad);
}
