/**
 * The console's single page and its static files: plain ES modules under console/public (one per
 * view, no build step), the stylesheet, and the alert sound. The page carries its words
 * (locales/<lng>/console.json, with the report and directory labels it shows) and the province
 * names, so no id reaches staff unlabelled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_CSP, csp } from '../core/http/security-headers.js';
import { loadLocaleResources } from '../core/i18n/index.js';
import { PROVINCES } from '../flows/data/provinces.js';
import { alertWav } from './alert-sound.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PUBLIC = path.join(here, 'public');
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
/** The console's policy plus its own alert sound (media from this origin only). */
const PAGE_CSP = { ...CONSOLE_CSP, 'media-src': ["'self'"] };

/** Every file under console/public, by URL path (read once: a fixed set, so no path from a request touches the disk). */
function publicFiles(dir = PUBLIC, prefix = ''): Map<string, { file: string; type: string }> {
  const files = new Map<string, { file: string; type: string }>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) for (const [k, v] of publicFiles(path.join(dir, entry.name), rel)) files.set(k, v);
    else if (TYPES[path.extname(entry.name)]) files.set(rel, { file: path.join(dir, entry.name), type: TYPES[path.extname(entry.name)]! });
  }
  return files;
}

type Tree = Record<string, unknown>;

/** The words of one language for the page: console.json, with labels borrowed from the report and directory texts. */
export function pageStrings(resources: Record<string, Record<string, unknown>>, lng: 'vi' | 'en'): Tree {
  const own = resources[lng]!.console as Tree;
  const report = (resources[lng]!.report ?? {}) as Record<string, Tree>;
  const help = (resources[lng]!.help ?? {}) as Record<string, Tree>;
  const borrowed: Tree = {
    reportCategory: report.category,
    country: report.country,
    when: report.when,
    peopleCount: report.peopleCount,
    peopleAge: report.peopleAge,
    peopleGender: report.peopleGender,
    contactMethod: report.contactMethod,
    place: report.place,
    need: help.need,
    group: help.group,
  };
  const labels = { ...borrowed } as Record<string, Tree>;
  for (const [k, v] of Object.entries((own.labels ?? {}) as Record<string, Tree>)) labels[k] = { ...(labels[k] ?? {}), ...v };
  return { ...own, labels };
}

export function pageRoutes(server: FastifyInstance): void {
  const resources = loadLocaleResources() as Record<string, Record<string, unknown>>;
  const strings = {
    vi: pageStrings(resources, 'vi'),
    en: pageStrings(resources, 'en'),
    places: { vi: Object.fromEntries(PROVINCES.map((p) => [p.slug, p.vi])), en: Object.fromEntries(PROVINCES.map((p) => [p.slug, p.en])) },
  };
  const html = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>111 console</title><link rel="stylesheet" href="/console/console.css"></head>
<body><div id="app" aria-live="polite"></div>
<script type="application/json" id="strings">${JSON.stringify(strings).replace(/</g, '\\u003c')}</script>
<script type="module" src="/console/app.js"></script></body></html>`;
  server.get('/console', { helmet: csp(PAGE_CSP) }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));

  const files = publicFiles();
  for (const [url, { file, type }] of files) {
    const body = readFileSync(file);
    server.get(`/console${url}`, async (_request, reply) => reply.type(type).header('cache-control', 'no-cache').send(body));
  }
  const sound = alertWav();
  server.get('/console/sounds/alert.wav', async (_request, reply) => reply.type('audio/wav').header('cache-control', 'public, max-age=86400').send(sound));
}
