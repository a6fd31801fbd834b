/**
 * Report codes people can read aloud over the phone and type on any keyboard: an alphabet without
 * look-alikes (no 0/O, 1/I/L), grouped by four. The reference ("HT-7K4M-Q9PX") is public-ish; the
 * follow-up code is a secret shown once and stored only as an scrypt hash.
 */
import { randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function randomChars(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return out;
}

const group = (chars: string) => chars.match(/.{1,4}/g)!.join('-');

export function newReferenceCode(): string {
  return `HT-${group(randomChars(8))}`;
}

export function newFollowUpCode(): string {
  return group(randomChars(8));
}

/** Uppercases and drops spaces, dashes and dots. */
function compact(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** "ht 7k4m q9px" → "HT-7K4M-Q9PX"; undefined when it cannot be a reference. */
export function normalizeReference(text: string): string | undefined {
  let chars = compact(text);
  if (chars.startsWith('HT')) chars = chars.slice(2);
  if (chars.length !== 8 || [...chars].some((c) => !CODE_ALPHABET.includes(c))) return undefined;
  return `HT-${group(chars)}`;
}

export function normalizeFollowUpCode(text: string): string | undefined {
  const chars = compact(text);
  if (chars.length !== 8 || [...chars].some((c) => !CODE_ALPHABET.includes(c))) return undefined;
  return group(chars);
}

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  const options: ScryptOptions = { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p };
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, SCRYPT.keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$hash" (base64url parts). */
export async function hashFollowUpCode(code: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(code, salt);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

/** Constant-time check; pass null to spend the same time when there is no such report. */
export async function verifyFollowUpCode(code: string, stored: string | null): Promise<boolean> {
  const [, , , , saltB64, keyB64] = (stored ?? DUMMY_HASH).split('$');
  const expected = Buffer.from(keyB64 ?? '', 'base64url');
  const actual = await scrypt(code, Buffer.from(saltB64 ?? '', 'base64url'));
  return stored !== null && expected.length === actual.length && timingSafeEqual(expected, actual);
}
