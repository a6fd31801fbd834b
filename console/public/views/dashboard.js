// The dashboard (supervisors): figures for a date range in words and the staff's number format,
// escalations and outcomes labelled, the daily table with headers, a CSV of aggregates only.
import { api, failure } from '../lib/api.js';
import { t, label, number, duration, date } from '../lib/i18n.js';
import { h, setChildren } from '../lib/dom.js';

/** The daily table's columns, in order; the wrap-up and survey ones when the server has them. */
const DAY_COLUMNS = ['day', 'channel', 'contacts', 'information', 'advice', 'wrappedInformation', 'wrappedReport', 'wrappedAdvice', 'followUpNeeded', 'surveyYes', 'surveyPartly', 'surveyNo'];
const nonZero = (counts) => Object.fromEntries(Object.entries(counts || {}).filter(([, n]) => n > 0));
const LEVEL_ORDER = ['emergency', 'high', 'elevated', 'none', 'in_danger', 'user_request', 'transfer', 'undelivered', 'information', 'report', 'advice', 'yes', 'partly', 'no'];

function countList(id, counts, group) {
  const keys = Object.keys(counts).sort((a, b) => (LEVEL_ORDER.indexOf(a) + 1 || 99) - (LEVEL_ORDER.indexOf(b) + 1 || 99) || counts[b] - counts[a]);
  if (!keys.length) return h('p', { id, class: 'hint', text: t('dashboard.none') });
  return h('table', { id, class: 'counts' },
    h('tbody', null, keys.map((k) => h('tr', null, h('th', { scope: 'row', text: label(group, k) }), h('td', { text: number(counts[k]) })))));
}

export function dashboardView() {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 29 * 864e5).toISOString().slice(0, 10);
  const from = h('input', { type: 'date', id: 'from', value: monthAgo }), to = h('input', { type: 'date', id: 'to', value: today });
  const out = h('div', { id: 'figures' });
  const csv = h('a', { id: 'csv', href: '#', text: t('dashboard.csv') });
  function load() {
    csv.setAttribute('href', '/console/api/dashboard.csv?from=' + from.value + '&to=' + to.value);
    api('GET', '/console/api/dashboard?from=' + from.value + '&to=' + to.value).then((f) => {
      const sum = (k) => f.days.reduce((a, d) => a + d[k], 0);
      const figures = [
        ['contacts', number(sum('contacts'))], ['information', number(sum('information'))], ['advice', number(sum('advice'))], ['reports', number(f.reports)],
        ['claimed', number(f.waitSeconds.claimed)], ['median', duration(f.waitSeconds.median)], ['p90', duration(f.waitSeconds.p90)], ['sla', number(f.slaBreaches)],
      ];
      setChildren(out,
        h('p', { class: 'hint', text: t('dashboard.range', { from: date(f.from), to: date(f.to) }) }),
        h('dl', { class: 'figures' }, figures.map(([k, v]) => h('div', { class: 'figure' }, h('dt', { text: t('dashboard.' + k) }), h('dd', { text: v })))),
        h('h2', { text: t('dashboard.escalations') }), countList('escalations', f.escalations, 'escalation'),
        h('h2', { text: t('dashboard.outcomes') }), countList('outcomes', f.outcomes, 'outcome'),
        f.wrapUp ? [
          h('h2', { text: t('dashboard.wrapUp') }),
          h('p', { class: 'hint', text: t('dashboard.wrapUpClosed', { closed: number(f.wrapUp.closed), followUp: number(f.wrapUp.followUpNeeded) }) }),
          countList('contact-types', f.wrapUp.contactTypes, 'contactType'),
          h('h3', { text: t('dashboard.referrals') }), countList('referrals', nonZero(f.wrapUp.referrals), 'referral'),
        ] : null,
        f.survey ? [
          h('h2', { text: t('dashboard.survey') }),
          h('p', { class: 'hint', id: 'survey-summary', text: t('dashboard.surveySummary', { asked: number(f.survey.asked), answered: number(f.survey.answered) }) }),
          countList('survey', f.survey.answers, 'survey'),
        ] : null,
        h('h2', { text: t('dashboard.daily') }),
        f.days.length
          ? h('table', { id: 'daily' },
            h('thead', null, h('tr', null, DAY_COLUMNS.filter((k) => k === 'day' || k === 'channel' || k in f.days[0]).map((k) => h('th', { scope: 'col', text: t('dashboard.col.' + k) })))),
            h('tbody', null, f.days.map((d) => h('tr', null, DAY_COLUMNS.filter((k) => k === 'day' || k === 'channel' || k in d).map((k) =>
              h('td', { text: k === 'day' ? date(d.day) : k === 'channel' ? label('channel', d.channel) : number(d[k]) }))))))
          : h('p', { class: 'hint', text: t('dashboard.none') }));
    }, failure);
  }
  setTimeout(load, 0);
  return h('main', null, h('h1', { text: t('dashboard.heading') }), h('p', { id: 'flash', role: 'alert' }),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); load(); } }, h('label', { for: 'from', text: t('dashboard.from') }), from, h('label', { for: 'to', text: t('dashboard.to') }), to, h('button', { type: 'submit', text: t('dashboard.show') })), csv, out);
}
