// Log in: email and password, then the authenticator code when the server asks for it.
import { state, render } from '../lib/state.js';
import { api, flash } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { h } from '../lib/dom.js';
import { langSwitch } from './shell.js';

export function loginView(started) {
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  // The second factor: shown when the server asks for it (a 6-digit code, or a recovery code).
  const code = h('input', { id: 'code', autocomplete: 'one-time-code', inputmode: 'text', maxlength: 40 });
  const codeBox = h('div', { id: 'code-box', hidden: true }, h('label', { for: 'code', text: t('login.code') }), code);
  return h('main', { class: 'login' }, h('h1', { text: t('title') }),
    h('form', { onsubmit: (e) => {
      e.preventDefault();
      const body = { email: email.value, password: password.value };
      if (code.value.trim()) body.code = code.value.trim();
      // The login answer, then the full profile (the alias users see) from /me.
      api('POST', '/console/api/login', body).then((me) => api('GET', '/console/api/me').then((full) => ({ ...me, ...full }), () => me)).then((me) => {
        state.me = me;
        if (me.mustEnrolTotp) return render();
        started();
      }, (err) => {
        if (err.code === 'TOTP_REQUIRED') { codeBox.hidden = false; code.focus(); return flash(t('login.codeNeeded')); }
        flash(err.status === 429 ? t('login.limited') : err.code === 'TOTP_INVALID' ? t('login.codeWrong') : t('login.failed'));
      });
    } }, h('h2', { text: t('login.heading') }), h('label', { for: 'email', text: t('login.email') }), email, h('label', { for: 'password', text: t('login.password') }), password,
      codeBox, h('button', { type: 'submit', text: t('login.submit') })),
    h('p', { id: 'flash', role: 'alert' }), langSwitch('on-light'));
}
