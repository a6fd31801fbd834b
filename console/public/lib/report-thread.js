// The two-way anonymous thread with a report's reporter: staff write, the reporter reads and
// answers with their codes from any channel. Re-read live when a message arrives.
import { api, failure } from './api.js';
import { t, label, dateTime } from './i18n.js';
import { h, setChildren } from './dom.js';
import { onLive } from './live.js';

export function reportThread(reportId, opts) {
  const list = h('ol', { class: 'thread', 'aria-live': 'polite' });
  const text = h('textarea', { id: 'thread-text-' + reportId, rows: 3, maxlength: 2000 });
  const box = h('section', { class: 'box report-thread', 'data-report': reportId },
    h('h3', { text: opts && opts.title ? opts.title : t('thread.heading') }),
    h('p', { class: 'hint', text: t('thread.hint') }),
    list,
    h('form', { onsubmit: (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      api('POST', '/console/api/reports/' + reportId + '/messages', { text: text.value }).then(() => { text.value = ''; load(); }, failure);
    } }, h('label', { for: 'thread-text-' + reportId, text: t('thread.write') }), text, h('button', { type: 'submit', text: t('thread.send') })));
  function load() {
    api('GET', '/console/api/reports/' + reportId + '/messages').then(({ messages }) => {
      if (!messages.length) return setChildren(list, h('li', { class: 'hint', text: t('thread.empty') }));
      setChildren(list, messages.map((m) => h('li', { class: 'thread-msg ' + m.author },
        h('div', { class: 'msg-head' },
          h('strong', { text: m.author === 'reporter' ? t('thread.reporter') : t('thread.staff', { alias: m.alias || t('thread.noAlias') }) }),
          h('time', { datetime: m.createdAt, text: dateTime(m.createdAt) }),
          m.channel ? h('span', { class: 'hint', text: label('channel', m.channel) }) : null,
          m.author === 'staff' ? h('span', { class: 'hint read-state', text: m.readAt ? t('thread.readAt', { when: dateTime(m.readAt) }) : t('thread.unread') }) : null),
        h('p', { class: 'text', text: m.text }))));
    }, failure);
  }
  load();
  const stop = onLive((e) => {
    if (!box.isConnected) { stop(); return; }
    if (e.type === 'report.message' && e.reportId === reportId) load();
  });
  return box;
}
