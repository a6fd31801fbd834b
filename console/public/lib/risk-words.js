// How a chat's risk is told to staff: its level (or why the person is here when there is no risk
// level), what raised it, the safety flags from the waiting room, and what they asked for.
import { state } from './state.js';
import { t, label, place } from './i18n.js';
import { h } from './dom.js';

/** "Khẩn cấp", or for a request without risk "Asked to talk to a counsellor". */
export function levelWords(item) {
  if (item.level && item.level !== 'none') return label('level', item.level);
  return label('reason', item.reason || 'user_request');
}

/** What raised the level, in words; the model alone gets a warning to check it. */
export function sourceLine(escalation) {
  if (!escalation) return null;
  return h('p', { class: 'why' + (escalation.modelOnly ? ' model-only' : ''), 'data-source': escalation.source },
    escalation.modelOnly ? h('strong', { text: t('risk.modelOnly') }) : t('risk.raisedBy', { source: label('source', escalation.source) }));
}

/** The waiting-room flags, prominent: the person's phone may be checked, they must be quick. */
export function flagLines(flags) {
  return (flags || []).map((f) => h('p', { class: 'flag', role: 'note', 'data-flag': f }, h('strong', { text: label('flag', f) })));
}

/** What the person asked for with the directory's "connect me" button. */
export function detailsLine(details) {
  if (!details) return null;
  const parts = [];
  if (details.need) parts.push(t('details.need', { need: label('need', details.need) }));
  if (details.group) parts.push(t('details.group', { group: label('group', details.group) }));
  if (details.province) parts.push(t('details.province', { province: place(details.province) }));
  if (details.serviceName) parts.push(t('details.service', { service: state.lang === 'en' ? details.serviceName.en : details.serviceName.vi }));
  if (!parts.length && !details.ask) return null;
  return h('p', { class: 'details' }, h('span', { class: 'label', text: t('details.asked') + ' ' }), parts.join(' · ') || label('ask', details.ask));
}

export function categoriesLine(categories) {
  if (!categories || !categories.length) return null;
  return h('p', { class: 'categories' }, h('span', { class: 'label', text: t('queue.categories') + ': ' }), categories.map((c) => label('riskCategory', c)).join(', '));
}

export function termMarks(terms) {
  if (!terms || !terms.length) return null;
  return h('p', { class: 'matched' }, h('span', { class: 'label', text: t('queue.matched') + ': ' }), terms.map((term) => h('mark', { text: term })));
}

export function whereWords(where) {
  if (!where) return t('chat.whereUnknown');
  if (where.where === 'vn') return t('chat.inVietnam');
  return where.country ? t('chat.abroadIn', { country: place(where.country) }) : t('chat.abroad');
}
