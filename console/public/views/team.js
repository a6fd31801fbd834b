// The team (supervisors): who is available, their capacity and open chats, what each holds and is
// offered, how many chats wait. Live: re-read on availability, offer and queue events.
import { state, go } from '../lib/state.js';
import { api, failure } from '../lib/api.js';
import { t, label, since, duration } from '../lib/i18n.js';
import { h, setChildren } from '../lib/dom.js';
import { onLive } from '../lib/live.js';

export function teamView() {
  const summary = h('p', { id: 'team-summary' });
  const table = h('div', { id: 'team' });
  const load = () => api('GET', '/console/api/assignments').then((board) => {
    summary.textContent = t('team.summary', { waiting: board.waiting, available: board.counsellors.filter((c) => c.status === 'available').length, offer: duration(board.offerSeconds) });
    setChildren(table, h('table', null,
      h('thead', null, h('tr', null, ['name', 'alias', 'role', 'status', 'load', 'chats', 'offers'].map((k) => h('th', { scope: 'col', text: t('team.col.' + k) })))),
      h('tbody', null, board.counsellors.map((c) => h('tr', { 'data-staff': c.id, class: c.status === 'available' ? 'available' : 'away' },
        h('td', { text: c.displayName }),
        h('td', { text: c.alias ? t('staff.aliasShown', { alias: c.alias }) : t('team.noAlias') }),
        h('td', { text: label('role', c.role) }),
        h('td', { text: c.status === 'available' ? t('availability.available') : t('availability.away') }),
        h('td', { text: t('availability.open', { open: c.open, capacity: c.capacity }) }),
        h('td', null, c.chats.length ? h('ul', { class: 'plain' }, c.chats.map((ch) => h('li', null,
          h('button', { type: 'button', class: 'link-button', onclick: () => go('chat', ch.handoffId), text: label('level', ch.level) + ' · ' + (ch.claimedAt ? t('team.since', { time: since(ch.claimedAt) }) : '') })))) : '—'),
        h('td', { text: c.offers.length ? c.offers.map((o) => t('offers.left', { seconds: Math.max(0, Math.round((new Date(o.expiresAt) - Date.now()) / 1000)) })).join(', ') : '—' }))))));
  }, failure);
  load();
  const stop = onLive((e) => {
    if (e.type === 'staff.availability' || e.type.startsWith('handoff') || e.type === 'bus.resync') load();
  });
  const el = h('main', null, h('h1', { text: t('team.heading') }), h('p', { id: 'flash', role: 'alert' }), summary, table);
  return { el, cleanup: stop };
}
