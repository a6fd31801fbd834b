/** Constant-time comparison of secrets (webhook tokens, CSRF tokens). */
import { timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two secrets (different lengths are unequal without leaking where). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
