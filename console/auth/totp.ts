/**
 * The TOTP second factor (RFC 6238, 30-second steps, 6 digits) through otplib, and recovery codes.
 * The secret is kept sealed under the data keyring (AES-256-GCM, bound to the account; rotated by keys:rotate); a step once used is never accepted
 * again (replay); recovery codes are 80-bit random, kept only as SHA-256, each good once.
 */
import { createHash, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { decryptJson, encryptJson, type ReportKeys } from '../../core/reports/crypto.js';

export const TOTP_ISSUER = 'Hotline 111';
const RECOVERY_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const RECOVERY_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

export function sealTotpSecret(key: ReportKeys, userId: string, secret: string): string {
  return encryptJson(key, secret, `totp:${userId}`);
}

export function openTotpSecret(key: ReportKeys, userId: string, sealed: string): string {
  return decryptJson<string>(key, sealed, `totp:${userId}`);
}

/** The time step the code matched (one step of clock drift either way), or null. Steps up to `afterStep` are refused. */
export async function checkTotp(secret: string, code: string, afterStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({ secret, token: code, epochTolerance: 30, ...(afterStep !== null ? { afterTimeStep: afterStep } : {}) });
  // A TOTP result carries the matched step (the HOTP branch of the union has no time step).
  // Stryker disable next-line ConditionalExpression,LogicalOperator: type narrowing of otplib's union; a TOTP verify result always has a numeric timeStep, so only `valid` decides
  return result.valid && 'timeStep' in result && typeof result.timeStep === 'number' ? result.timeStep : null;
}

const normalise = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, '');
export const hashRecoveryCode = (code: string) => createHash('sha256').update(`recovery:${normalise(code)}`).digest('hex');

/** Fresh recovery codes to show once ("XXXX-XXXX-XXXX-XXXX") and the hashes to keep. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return raw.match(/.{4}/g)!.join('-');
  });
  return { codes, hashes: codes.map(hashRecoveryCode) };
}
