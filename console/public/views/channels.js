// Channel health (admins): each channel's state and, for Telegram and LINE, a check that asks the
// platform whether its webhook reaches us, with the answer in words.
import { api, failure } from '../lib/api.js';
import { t, label, dateTime, number } from '../lib/i18n.js';
import { h } from '../lib/dom.js';

function checkResult(r) {
  const rows = [[t('channels.verdictLabel'), t('channels.verdict.' + r.verdict, null, label('verdict', r.verdict))], [t('channels.checkedAt'), dateTime(r.checkedAt)]];
  if (r.status) rows.push([t('channels.httpStatus'), String(r.status)]);
  if (r.telegram) {
    const tg = r.telegram;
    rows.push([t('channels.mode'), t('channels.modes.' + tg.mode)], [t('channels.webhookUrl'), tg.url || t('channels.noWebhook')]);
    if (tg.expectedUrl) rows.push([t('channels.expectedUrl'), tg.expectedUrl]);
    rows.push([t('channels.pendingUpdates'), number(tg.pendingUpdates)]);
    if (tg.lastErrorAt) rows.push([t('channels.platformError'), dateTime(tg.lastErrorAt) + ' · ' + (tg.lastErrorMessage || '')]);
  }
  if (r.line) {
    const l = r.line;
    rows.push([t('channels.webhookUrl'), l.endpoint || t('channels.noWebhook')]);
    if (l.active != null) rows.push([t('channels.active'), l.active ? t('common.yes') : t('common.no')]);
    if (l.statusCode != null) rows.push([t('channels.testAnswer'), (l.statusCode ? String(l.statusCode) + ' · ' : '') + (l.detail || l.reason || '')]);
  }
  return h('dl', { class: 'fields check-result', 'data-verdict': r.verdict }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

function card(c) {
  const result = h('div', { class: 'check-box', 'aria-live': 'polite' });
  const err = c.lastDeliveryError;
  const rows = [
    [t('channels.configured'), c.configured ? t('common.yes') : t('common.no')],
    [t('channels.lastInbound'), c.lastInboundAt ? dateTime(c.lastInboundAt) : t('channels.never')],
    [t('channels.pending'), number(c.pendingOutbound)],
    [t('channels.failed'), number(c.failedOutbound)],
    // The error's stable code is shown too (admins look it up in the README and the logs).
    [t('channels.lastError'), err ? [t('channels.errorLine', { code: label('deliveryError', err.code), when: dateTime(err.messageCreatedAt), status: label('deliveryStatus', err.status) }) + (err.nextAttemptAt ? ' · ' + t('channels.retryAt', { when: dateTime(err.nextAttemptAt) }) : '') + ' ', h('code', { class: 'error-code', text: err.code })] : t('channels.noError')],
  ];
  return h('section', { class: 'box channel' + (c.configured ? '' : ' off'), 'data-channel': c.channel },
    h('h2', { text: label('channel', c.channel) }),
    h('dl', { class: 'fields' }, rows.map(([k, v]) => [h('dt', { text: k }), typeof v === 'string' ? h('dd', { text: v }) : h('dd', null, v)])),
    c.checkable ? h('button', { type: 'button', class: 'check', onclick: (e) => {
      e.target.disabled = true;
      result.replaceChildren(h('p', { class: 'hint', text: t('channels.checking') }));
      api('POST', '/console/api/channels/' + c.channel + '/check', {}).then((r) => result.replaceChildren(checkResult(r)), failure).finally(() => { e.target.disabled = false; });
    }, text: t('channels.check') }) : null,
    result);
}

export function channelsView() {
  const main = h('main', null, h('h1', { text: t('channels.heading') }), h('p', { class: 'hint', text: t('channels.intro') }), h('p', { id: 'flash', role: 'alert' }));
  const list = h('div', { id: 'channels', class: 'channels' });
  main.appendChild(h('button', { type: 'button', onclick: () => load(), text: t('channels.refresh') }));
  main.appendChild(list);
  const load = () => api('GET', '/console/api/channels').then((all) => list.replaceChildren(...all.map(card)), failure);
  load();
  return main;
}
