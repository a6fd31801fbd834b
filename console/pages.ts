/** The console's single page and its static files (no build step; strings from locales/<lng>/console.json). */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { loadLocaleResources } from '../core/i18n/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Security headers (the console's CSP: same origin only, WebSocket included) come from core/http/security-headers.ts.

export function pageRoutes(server: FastifyInstance): void {
  const resources = loadLocaleResources() as Record<string, Record<string, unknown>>;
  server.get('/console', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>111 console</title><link rel="stylesheet" href="/console/console.css"></head>
<body><div id="app" aria-live="polite"></div>
<script type="application/json" id="strings">${JSON.stringify({ vi: resources.vi!.console, en: resources.en!.console }).replace(/</g, '\\u003c')}</script>
<script src="/console/app.js"></script></body></html>`),
  );
  server.get('/console/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(createReadStream(path.join(here, 'public', 'app.js'))));
  server.get('/console/console.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(createReadStream(path.join(here, 'public', 'console.css'))));
}
