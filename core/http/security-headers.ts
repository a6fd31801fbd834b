/**
 * Security headers for every response, from one place (@fastify/helmet): a strict Content Security
 * Policy (the console's, by default: same-origin only, no frames), HSTS when PUBLIC_URL is https,
 * no referrer, no sniffing, frame-ancestors 'none'; `Cache-Control: no-store` on every answer that
 * does not set its own (APIs, tokens, transcripts). Pages that need another policy name it from
 * here (route option `helmet: csp(...)`), never set headers by hand.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

type Directives = Record<string, string[]>;

const BASE: Directives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** The console (and the default for everything): scripts, styles and connections (fetch, WebSocket) to this origin only. */
export const CONSOLE_CSP: Directives = { ...BASE, 'script-src': ["'self'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"] };

/** The public pages and the web chat: Microsoft's Web Chat needs inline styles, data: fonts and blob: images; still nothing third-party. */
export const WEBCHAT_CSP: Directives = {
  ...BASE,
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
};

/** A printable page with its own inline style and nothing else. */
export const PRINT_CSP: Directives = { ...BASE, 'style-src': ["'unsafe-inline'"] };

/** Route option for a page with its own policy: `{ helmet: csp(WEBCHAT_CSP) }`. */
export function csp(directives: Directives) {
  return { contentSecurityPolicy: { useDefaults: false, directives } };
}

export async function registerSecurityHeaders(server: FastifyInstance, options: { https: boolean }): Promise<void> {
  await server.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
    // HSTS only when the public address is https (a plain-http test or LAN install must not be pinned).
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  server.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (!reply.hasHeader('permissions-policy')) reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  });
}
