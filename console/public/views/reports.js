// Reports (supervisors): the list, one report in words (every read audited by the server), its
// status, and the printable referral summary.
import { state } from '../lib/state.js';
import { api, flash, failure } from '../lib/api.js';
import { t, label, place, date, dateTime } from '../lib/i18n.js';
import { h } from '../lib/dom.js';
import { fieldRows } from '../lib/report-fields.js';
import { reportThread } from '../lib/report-thread.js';
import { onLive } from '../lib/live.js';

const STATUSES = ['received', 'referred', 'closed'];

function showReport(main, id) {
  api('GET', '/console/api/reports/' + id).then((r) => {
    const status = h('select', { id: 'report-status', 'aria-label': t('reports.status') }, STATUSES.map((s) => h('option', { value: s, selected: s === r.status, text: t('reports.' + s) })));
    const rows = [
      [t('reports.reference'), r.referenceCode],
      [t('reports.created'), dateTime(r.createdAt)],
      [t('reports.channel'), label('channel', r.channel)],
      [t('reports.authorities'), (r.referralTargets || []).map((a) => label('authority', a)).join(', ') || '—'],
      ...fieldRows(r.body || {}).map(([name, value]) => [name, value]),
    ];
    const box = h('section', { class: 'report', 'aria-label': r.referenceCode }, h('h2', { text: t('reports.one', { reference: r.referenceCode }) }),
      h('dl', { class: 'fields' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
      r.additions.length ? h('section', null, h('h3', { text: t('reports.additions') }), h('ul', null, r.additions.map((a) => h('li', null, h('span', { class: 'when', text: dateTime(a.createdAt) + ': ' }), a.text)))) : null,
      h('form', { onsubmit: (e) => { e.preventDefault(); api('POST', '/console/api/reports/' + id + '/status', { status: status.value }).then(() => flash(t('directory.saved'), 'ok'), failure); } },
        h('label', { for: 'report-status', text: t('reports.status') }), status, h('button', { type: 'submit', text: t('reports.setStatus') })),
      h('a', { href: '/console/reports/' + id + '/referral?lang=' + state.lang, target: '_blank', rel: 'noopener', text: t('reports.referral') }),
      reportThread(id));
    const old = main.querySelector('section.report');
    if (old) old.remove();
    main.appendChild(box);
    box.scrollIntoView({ block: 'start' });
  }, failure);
}

/** "3 · the reporter answered: reply" — the thread with the reporter at a glance. */
function messagesWords(m) {
  if (!m || !m.total) return '—';
  return t('reports.messagesCount', { count: m.total }) + (m.awaitingAnswer ? ' · ' + t('reports.awaitingAnswer') : '');
}

export function reportsView() {
  const main = h('main', null, h('h1', { text: t('reports.heading') }), h('p', { id: 'flash', role: 'alert' }));
  const listBox = h('div', { id: 'reports-box' });
  main.appendChild(listBox);
  const load = () => api('GET', '/console/api/reports').then((list) => {
    if (!list.length) return listBox.replaceChildren(h('p', { text: t('reports.empty') }));
    listBox.replaceChildren(h('table', { id: 'reports' },
      h('thead', null, h('tr', null, ['reference', 'category', 'place', 'inDanger', 'status', 'created', 'messages'].map((k) => h('th', { scope: 'col', text: t('reports.' + k) })), h('th', { scope: 'col', text: t('reports.actions') }))),
      h('tbody', null, list.map((r) => h('tr', null,
        h('td', { text: r.referenceCode }), h('td', { text: label('reportCategory', r.category) }),
        h('td', { text: r.province === 'abroad' && r.country ? place('abroad') + ' · ' + place(r.country) : place(r.province) }),
        h('td', { text: r.inDanger ? t('common.yes') : t('common.no') }),
        h('td', { text: t('reports.' + r.status) }), h('td', { text: date(r.createdAt) }),
        h('td', { class: r.messages && r.messages.awaitingAnswer ? 'awaiting' : null, text: messagesWords(r.messages) }),
        h('td', null, h('button', { type: 'button', onclick: () => showReport(main, r.id), text: t('reports.open') })))))));
  }, failure);
  load();
  // A reporter's answer shows in the list at once.
  const stop = onLive((e) => { if (e.type === 'report.message' || e.type === 'bus.resync') load(); });
  return { el: main, cleanup: stop };
}
