// The console API over fetch (same origin, CSRF header on every change) and the page's messages.
import { state, render } from './state.js';
import { t } from './i18n.js';

export async function api(method, url, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && state.me) headers['x-csrf-token'] = state.me.csrfToken;
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (r.status === 204) return null;
  const data = await r.json().catch(() => null);
  if (!r.ok) {
    const err = new Error((data && data.error && data.error.message) || r.statusText);
    err.code = data && data.error && data.error.code;
    err.status = r.status;
    throw err;
  }
  return data;
}

export function flash(message, kind) {
  const box = document.getElementById('flash');
  if (box) { box.textContent = message; box.className = 'flash ' + (kind || 'error'); }
}

/** Shows an API error in the staff's language: known codes in words, never a stack or an id. */
export function failure(err) {
  if (err.status === 401) { state.me = null; return render(); }
  const known = err.code && t('errors.codes.' + err.code, null, '');
  if (known) return flash(known);
  flash(t('errors.generic', { message: err.message }));
}
