/**
 * Strings from outside are made well-formed before anything is stored: NUL characters are removed
 * (PostgreSQL and PGlite refuse them in text) and lone UTF-16 surrogates become U+FFFD (they are
 * not valid UTF-8). Applied to every parsed JSON body (a preValidation hook) and, for webhooks whose
 * signature covers the raw bytes, to the body parsed after the signature was checked.
 */
import type { FastifyInstance } from 'fastify';

const NUL = /\u0000/g;
/** String.prototype.toWellFormed (Node 20; not in this project's ES2023 lib typings). */
type WellFormable = string & { toWellFormed(): string };

/** One string, well-formed. */
export function wellFormedString(value: string): string {
  return ((value.includes('\u0000') ? value.replace(NUL, '') : value) as WellFormable).toWellFormed();
}

/** A deep copy of a JSON value with every string (keys too) well-formed. */
export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return wellFormedString(value) as T;
  if (Array.isArray(value)) return value.map((v) => wellFormed(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[wellFormedString(k)] = wellFormed(v);
    return out as T;
  }
  return value;
}

/** Every parsed (non-raw) request body is made well-formed before any handler sees it. */
export function registerWellFormedBodies(server: FastifyInstance): void {
  server.addHook('preValidation', async (request) => {
    if (request.body && typeof request.body === 'object') request.body = wellFormed(request.body);
  });
}
