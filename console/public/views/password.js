// Change one's own password.
import { api, flash, failure } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { h } from '../lib/dom.js';

export function passwordView() {
  const current = h('input', { id: 'current', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'next', type: 'password', autocomplete: 'new-password', minlength: 12 });
  return h('main', null, h('h1', { text: t('nav.password') }), h('p', { id: 'flash', role: 'alert' }),
    h('form', { onsubmit: (e) => { e.preventDefault(); api('POST', '/console/api/password', { current: current.value, next: next.value }).then(() => flash(t('password.done'), 'ok'), failure); } },
      h('label', { for: 'current', text: t('password.current') }), current, h('label', { for: 'next', text: t('password.next') }), next, h('button', { type: 'submit', text: t('password.save') })));
}
