// Setting up the authenticator app: the secret (and its otpauth:// link) to add, a code to confirm, recovery codes shown once.
import { state } from '../lib/state.js';
import { api, failure } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { h } from '../lib/dom.js';

export function enrolView(started) {
  const main = h('main', null, h('h1', { text: t('totp.heading') }), h('p', { id: 'flash', role: 'alert' }));
  if (state.me.totpEnabled) { main.appendChild(h('p', { text: t('totp.already') })); return main; }
  api('POST', '/console/api/totp/setup', {}).then((s) => {
    const code = h('input', { id: 'totp-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6 });
    main.appendChild(h('section', null, h('p', { text: t('totp.explain') }), h('p', null, h('code', { id: 'totp-secret', text: s.secret })), h('p', null, h('a', { href: s.uri, id: 'totp-uri', text: t('totp.link') })),
      h('form', { onsubmit: (e) => { e.preventDefault(); api('POST', '/console/api/totp/enable', { code: code.value.trim() }).then((r) => {
        state.me.totpEnabled = true; state.me.mustEnrolTotp = false;
        main.replaceChildren(h('h1', { text: t('totp.heading') }), h('p', { text: t('totp.recovery') }), h('ol', { id: 'recovery-codes' }, r.recoveryCodes.map((c) => h('li', null, h('code', { text: c })))),
          h('button', { type: 'button', onclick: () => { if (typeof started === 'function') started(); else { state.view = 'queue'; location.reload(); } }, text: t('totp.done') }));
      }, failure); } }, h('label', { for: 'totp-code', text: t('login.code') }), code, h('button', { type: 'submit', text: t('totp.confirm') }))));
  }, failure);
  return main;
}
