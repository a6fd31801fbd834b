// Accounts (admins): create, disable or enable, reset a second factor; which roles must use two-step login.
import { state, go } from '../lib/state.js';
import { api, flash, failure } from '../lib/api.js';
import { t, label, dateTime } from '../lib/i18n.js';
import { h } from '../lib/dom.js';

const ROLES = ['counsellor', 'supervisor', 'admin'];

/** The name users see for this counsellor ("Tư vấn viên Lan"); never the account's name or email. */
function aliasForm(s) {
  const input = h('input', { value: s.alias || '', maxlength: 30, 'aria-label': t('staff.alias') + ' · ' + s.displayName, placeholder: t('staff.aliasPlaceholder') });
  const shown = h('span', { class: 'hint', text: t('staff.usersSee', { shown: s.alias ? t('staff.aliasShown', { alias: s.alias }) : t('staff.aliasNone') }) });
  return h('form', { class: 'inline alias-form', onsubmit: (e) => {
    e.preventDefault();
    api('PUT', '/console/api/staff/' + s.id + '/alias', { alias: input.value.trim() || null }).then((r) => {
      shown.textContent = t('staff.usersSee', { shown: state.lang === 'en' ? r.shown.en : r.shown.vi });
      if (s.id === state.me.id) state.me.alias = r.alias;
      flash(t('directory.saved'), 'ok');
    }, failure);
  } }, input, h('button', { type: 'submit', text: t('staff.saveAlias') }), shown);
}

export function staffView() {
  const main = h('main', null, h('h1', { text: t('staff.heading') }), h('p', { id: 'flash', role: 'alert' }));
  const email = h('input', { id: 'staff-email', type: 'email', required: true });
  const name = h('input', { id: 'staff-name', required: true });
  const role = h('select', { id: 'staff-role' }, ROLES.map((r) => h('option', { value: r, text: label('role', r) })));
  const password = h('input', { id: 'staff-password', type: 'password', minlength: 12, required: true, autocomplete: 'new-password' });
  main.appendChild(h('form', { class: 'stack', onsubmit: (e) => { e.preventDefault(); api('POST', '/console/api/staff', { email: email.value, displayName: name.value, role: role.value, password: password.value, locale: state.lang }).then(() => go('staff'), failure); } },
    h('h2', { text: t('staff.create') }),
    h('label', { for: 'staff-email', text: t('login.email') }), email,
    h('label', { for: 'staff-name', text: t('staff.name') }), name,
    h('label', { for: 'staff-role', text: t('staff.role') }), role,
    h('label', { for: 'staff-password', text: t('password.next') }), password,
    h('button', { type: 'submit', text: t('staff.create') })));
  api('GET', '/console/api/staff').then((list) => {
    main.appendChild(h('table', { id: 'staff-list' },
      h('thead', null, h('tr', null, ['name', 'email', 'role', 'alias', 'twoStep', 'state', 'lastLogin', 'actions'].map((k) => h('th', { scope: 'col', text: t('staff.col.' + k) })))),
      h('tbody', null, list.map((s) => h('tr', null,
        h('td', { text: s.displayName }), h('td', { text: s.email }), h('td', { text: label('role', s.role) }),
        h('td', null, aliasForm(s)),
        h('td', { text: s.totpEnabledAt ? t('common.yes') : t('common.no') }),
        h('td', { text: s.disabled ? t('staff.disabled') : t('staff.active') }),
        h('td', { text: s.lastLoginAt ? dateTime(s.lastLoginAt) : '—' }),
        h('td', null, s.id === state.me.id ? null :
          h('button', { type: 'button', onclick: () => { api('POST', '/console/api/staff/' + s.id + '/disabled', { disabled: !s.disabled }).then(() => go('staff'), failure); }, text: s.disabled ? t('staff.enable') : t('staff.disable') }),
          s.totpEnabledAt && s.id !== state.me.id ? h('button', { type: 'button', onclick: () => { api('POST', '/console/api/staff/' + s.id + '/totp/reset', {}).then(() => go('staff'), failure); }, text: t('staff.resetTotp') }) : null))))));
  }, failure);
  api('GET', '/console/api/policy').then((p) => {
    main.appendChild(h('section', { id: 'totp-policy' }, h('h2', { text: t('staff.totpPolicy') }), ROLES.map((r) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: p.totpRequired[r], onchange: (e) => { api('PUT', '/console/api/policy/totp', { role: r, required: e.target.checked }).then(() => flash(t('directory.saved'), 'ok'), failure); } }), ' ' + label('role', r)))));
  }, failure);
  return main;
}
