/**
 * The public pages: GET / (what the service is, links to the web chat and the channels) and
 * GET /chat (Microsoft's Web Chat, served from the installed package, against our own Direct Line).
 * Safe on a shared or watched phone: quick exit (button or Esc, on both pages) replaces the page and
 * its history entry; a short tip says how to hide the visit; no cookies, no analytics, no third-party
 * requests (Content-Security-Policy 'self' only); the conversation lives in the tab's sessionStorage
 * unless the user asks for a resume code. The chat starts in the page's language (no language question).
 */
import { createHash, randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import { toLocale, translate } from '../../core/i18n/index.js';
import { hit, isLimited } from '../../core/reports/rate-limit.js';
import { bearer, issueToken, verifyToken } from '../directline/tokens.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// The package's own browser bundle (its exports map hides dist/, so resolve the entry and go up from lib/).
const WEBCHAT_BUNDLE = path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
const APP_JS = path.join(here, 'public', 'app.js');
const EXIT_JS = path.join(here, 'public', 'exit.js');
const STYLE_CSS = path.join(here, 'public', 'chat.css');

/** Resume codes: 10 characters without look-alikes, valid 24 hours. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_HOURS = 24;
/** Resume attempts service-wide per minute (no per-person state: nothing about the client is kept). */
const RESUME_WINDOW = { max: 60, seconds: 60 };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const hashCode = (code: string) => createHash('sha256').update(`resume:${code}`).digest('hex');

function securityHeaders(reply: FastifyReply, request: FastifyRequest) {
  const host = request.headers.host ?? '';
  reply
    .header(
      'content-security-policy',
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        `connect-src 'self' ws://${host} wss://${host}`,
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    )
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=()')
    .header('cache-control', 'no-store');
}

function pageLocale(request: FastifyRequest<{ Querystring: { lang?: string } }>, config: Config) {
  return toLocale(request.query.lang) ?? config.DEFAULT_LOCALE;
}

export interface PagesOptions {
  config: Config;
  db: Db;
  tokenKey: Buffer;
  channels: () => Record<string, boolean>;
}

export async function registerPages(server: FastifyInstance, { config, db, tokenKey, channels }: PagesOptions): Promise<void> {
  const t = (lng: 'vi' | 'en', key: string) => escapeHtml(translate(lng, `webchat:${key}`));
  const list = (lng: 'vi' | 'en', key: string) => (translate(lng, `webchat:${key}`, { returnObjects: true }) as unknown as string[]).map((p) => `<li>${escapeHtml(p)}</li>`).join('');
  /** The quick-exit button (exit.js: click or Esc) on every public page. */
  const quickExit = (lng: 'vi' | 'en') =>
    `<button id="quick-exit" type="button" data-exit="${escapeHtml(config.QUICK_EXIT_URL)}" title="${t(lng, 'quickExitHint')}" aria-describedby="quick-exit-hint">${t(lng, 'quickExit')}</button>
  <p id="quick-exit-hint" class="hint">${t(lng, 'quickExitHint')}</p>`;
  /** A short, folded tip: how to leave no trace of this visit. */
  const hideTip = (lng: 'vi' | 'en') => `<details class="hide-tip"><summary>${t(lng, 'hideTitle')}</summary><ul>${list(lng, 'hideTip')}</ul></details>`;

  server.get<{ Querystring: { lang?: string } }>('/', async (request, reply) => {
    const lng = pageLocale(request, config);
    const other = lng === 'vi' ? 'en' : 'vi';
    const points = list(lng, 'landing.points');
    const on = Object.entries(channels()).filter(([name, enabled]) => enabled && name !== 'webchat').map(([name]) => ({ telegram: 'Telegram', line: 'LINE', zalo: 'Zalo', botframework: 'Microsoft Teams / Messenger' })[name] ?? name);
    securityHeaders(reply, request);
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="${lng}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(lng, 'landing.title')}</title><link rel="stylesheet" href="/chat/chat.css"></head>
<body class="landing">
<header>
  <p class="lang"><a href="/?lang=${other}">${t(lng, 'otherLanguage')}</a></p>
  ${quickExit(lng)}
</header>
<main>
<h1>${t(lng, 'landing.title')}</h1>
<p>${t(lng, 'landing.lead')}</p>
<ul>${points}</ul>
<p><a class="button" href="/chat?lang=${lng}">${t(lng, 'landing.chat')}</a></p>
${on.length ? `<p>${t(lng, 'landing.channels')} ${on.map(escapeHtml).join(', ')}</p>` : ''}
<p>${t(lng, 'landing.call')}</p>
${hideTip(lng)}
</main>
<script src="/chat/exit.js"></script>
</body></html>`);
  });

  server.get<{ Querystring: { lang?: string } }>('/chat', async (request, reply) => {
    const lng = pageLocale(request, config);
    const other = lng === 'vi' ? 'en' : 'vi';
    const settings = {
      locale: lng === 'vi' ? 'vi-VN' : 'en-US',
      lang: lng,
      text: Object.fromEntries(['loading', 'failed', 'resume.explain', 'resume.invalid', 'resume.busy'].map((k) => [k, translate(lng, `webchat:${k}`)])),
    };
    securityHeaders(reply, request);
    // The settings are JSON in a non-executed script element; "<" is escaped so it cannot close the tag.
    const json = JSON.stringify(settings).replace(/</g, '\\u003c');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="${lng}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(lng, 'title')}</title><link rel="stylesheet" href="/chat/chat.css"></head>
<body class="chat">
<header>
  <h1>${t(lng, 'title')}</h1>
  ${quickExit(lng)}
  <p class="intro">${t(lng, 'intro')} <a href="/chat?lang=${other}" id="switch-language" lang="${other}">${t(lng, 'otherLanguage')}</a></p>
  ${hideTip(lng)}
</header>
<main id="webchat" role="main" aria-live="polite"><p id="status">${t(lng, 'loading')}</p></main>
<footer>
  <details><summary>${t(lng, 'more')}</summary>
  <p class="privacy">${t(lng, 'privacy')}</p>
  <button id="get-resume" type="button">${t(lng, 'resume.get')}</button> <output id="resume-code" aria-live="polite"></output>
  <form id="resume-form"><label for="resume-input">${t(lng, 'resume.enter')}</label>
  <input id="resume-input" autocomplete="off" autocapitalize="characters" placeholder="${t(lng, 'resume.placeholder')}" maxlength="12">
  <button type="submit">${t(lng, 'resume.submit')}</button></form>
  </details>
</footer>
<script type="application/json" id="settings">${json}</script>
<script src="/chat/exit.js"></script>
<script src="/chat/webchat.js"></script>
<script src="/chat/app.js"></script>
</body></html>`);
  });

  const file = (filePath: string, type: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply, request);
    reply.header('cache-control', 'public, max-age=3600');
    return reply.type(type).send(createReadStream(filePath));
  };
  server.get('/chat/webchat.js', file(WEBCHAT_BUNDLE, 'text/javascript; charset=utf-8'));
  server.get('/chat/app.js', file(APP_JS, 'text/javascript; charset=utf-8'));
  server.get('/chat/exit.js', file(EXIT_JS, 'text/javascript; charset=utf-8'));
  server.get('/chat/chat.css', file(STYLE_CSS, 'text/css; charset=utf-8'));

  // A resume code for the conversation the bearer token opens.
  server.post('/chat/resume-code', async (request) => {
    const now = new Date();
    const conversationId = verifyToken(tokenKey, bearer(request.headers.authorization), now);
    const code = Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const expiresAt = new Date(now.getTime() + CODE_HOURS * 3600_000);
    await db.resumeCode.create({ data: { id: hashCode(code), conversationId, expiresAt } });
    return { code: `${code.slice(0, 5)}-${code.slice(5)}`, expiresAt: expiresAt.toISOString() };
  });

  const resumeBody = z.object({ code: z.string().min(1).max(32) });
  server.post('/chat/resume', async (request) => {
    const parsed = resumeBody.safeParse(request.body);
    if (!parsed.success) throw new AppError('BAD_INPUT', 'send {"code": "..."}', 400);
    const now = new Date();
    const code = parsed.data.code.toUpperCase().replace(/[^0-9A-Z]/g, '');
    const found = await db.$transaction(async (tx) => {
      if (await isLimited(tx, 'webchat-resume', RESUME_WINDOW, now)) throw new AppError('RATE_LIMITED', 'too many attempts, try again in a minute', 429);
      const row = await tx.resumeCode.findUnique({ where: { id: hashCode(code) } });
      if (!row || row.expiresAt <= now) {
        await hit(tx, 'webchat-resume', RESUME_WINDOW, now);
        return null;
      }
      return row;
    });
    if (!found) throw new AppError('NOT_FOUND', 'unknown or expired resume code', 404);
    return { conversationId: found.conversationId, ...issueToken(tokenKey, found.conversationId, now) };
  });
}
