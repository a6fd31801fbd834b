// The queue: waiting chats first (priority, then wait), each with its level and why, the safety
// flags, what the person asked for, the matched words; claim or open.
import { state, go } from '../lib/state.js';
import { api, failure } from '../lib/api.js';
import { t, label, since } from '../lib/i18n.js';
import { h } from '../lib/dom.js';
import { onQueue } from '../lib/queue.js';
import { levelWords, sourceLine, flagLines, detailsLine, categoriesLine, termMarks } from '../lib/risk-words.js';

function row(q) {
  const mine = q.counsellorId === state.me.id;
  const terms = [...new Set((q.escalation && q.escalation.terms) || q.matches.filter((m) => m.term).map((m) => m.term))];
  return h('li', { class: 'item level-' + q.level + (q.slaBreached ? ' breached' : '') + (q.escalation && q.escalation.modelOnly ? ' model-only' : ''), 'data-handoff': q.handoffId },
    h('div', { class: 'meta' },
      h('strong', { class: 'level', text: levelWords(q) }), ' · ', label('channel', q.channel), ' · ', label('language', q.locale),
      q.slaBreached ? h('span', { class: 'badge', text: t('queue.sla') }) : null,
      h('span', { class: 'wait', 'data-since': q.createdAt, text: t('queue.wait') + ' ' + since(q.createdAt) })),
    q.offeredTo ? h('p', { class: 'offered-to' + (q.offeredTo === state.me.id ? ' mine' : ''), text: q.offeredTo === state.me.id ? t('queue.offeredToMe') : t('queue.offeredTo', { name: q.offeredToName || '—' }) }) : null,
    q.undelivered ? h('p', { class: 'flag undelivered', text: t('queue.undelivered', { count: q.undelivered }) }) : null,
    flagLines(q.flags),
    sourceLine(q.escalation),
    detailsLine(q.details),
    categoriesLine(q.categories),
    termMarks(terms),
    q.state === 'waiting'
      ? h('button', { type: 'button', class: 'claim', onclick: () => { api('POST', '/console/api/handoffs/' + q.handoffId + '/claim', {}).then(() => go('chat', q.handoffId), failure); }, text: t('queue.claim') })
      : null,
    q.state === 'waiting'
      ? h('button', { type: 'button', class: 'preview', onclick: () => go('chat', q.handoffId), text: t('queue.preview') })
      : h('button', { type: 'button', onclick: () => go('chat', q.handoffId), text: (mine ? t('queue.mine') : t('queue.heldBy', { name: q.holderName || '—' })) + ' · ' + t('queue.open') }));
}

export function queueView() {
  const list = h('div', { id: 'queue-list' });
  const draw = () => {
    const waiting = state.queue.filter((q) => q.state === 'waiting');
    const held = state.queue.filter((q) => q.state !== 'waiting');
    list.replaceChildren(...[
      waiting.length ? h('ul', { class: 'queue', id: 'queue' }, waiting.map(row)) : h('p', { id: 'queue-empty', text: t('queue.empty') }),
      held.length ? h('h2', { text: t('queue.inProgress') }) : null,
      held.length ? h('ul', { class: 'queue held', id: 'queue-held' }, held.map(row)) : null,
    ].filter(Boolean));
  };
  draw();
  const stop = onQueue(draw);
  const tick = () => list.querySelectorAll('.wait[data-since]').forEach((el) => { el.textContent = t('queue.wait') + ' ' + since(el.getAttribute('data-since')); });
  document.addEventListener('console:tick', tick);
  const el = h('main', null, h('h1', { text: t('queue.heading') }), h('p', { id: 'flash', role: 'alert' }), list);
  return { el, cleanup: () => { stop(); document.removeEventListener('console:tick', tick); } };
}
