// The bar on every signed-in page: the views this role may open, sound and desktop alerts, language, log out.
import { state, go, render } from '../lib/state.js';
import { api } from '../lib/api.js';
import { t, label } from '../lib/i18n.js';
import { h } from '../lib/dom.js';
import { disconnect } from '../lib/live.js';
import { availabilityControl, offersBar } from './offers.js';
import { isMuted, setMuted, canAskNotifications, askNotifications, urgentWaiting, fillBanner, ring } from '../lib/alerts.js';

export function langSwitch(extraClass) {
  return h('button', { type: 'button', class: 'link' + (extraClass ? ' ' + extraClass : ''), lang: state.lang === 'vi' ? 'en' : 'vi', onclick: () => {
    state.lang = state.lang === 'vi' ? 'en' : 'vi';
    localStorage.setItem('console.lang', state.lang);
    render();
  }, text: t('nav.language') });
}

export function shell() {
  const items = [['queue', 'nav.queue']];
  if (state.me.role !== 'counsellor') items.push(['team', 'nav.team'], ['reports', 'nav.reports'], ['dashboard', 'nav.dashboard'], ['directory', 'nav.directory']);
  if (state.me.role === 'admin') items.push(['staff', 'nav.staff'], ['channels', 'nav.channels']);
  items.push(['password', 'nav.password']);
  if (!state.me.totpEnabled) items.push(['enrol', 'nav.totp']);
  const current = state.view === 'chat' ? 'queue' : state.view;
  const muted = isMuted();
  const sound = h('button', { type: 'button', id: 'sound-toggle', 'aria-pressed': muted ? 'false' : 'true', onclick: () => {
    setMuted(!isMuted());
    if (!isMuted()) ring();
    render();
  }, text: muted ? t('alerts.soundOff') : t('alerts.soundOn') });
  const ask = canAskNotifications()
    ? h('button', { type: 'button', id: 'notify-ask', onclick: () => { askNotifications().then(render); }, text: t('alerts.enableNotifications') })
    : null;
  const banner = h('p', { id: 'urgent-banner', class: 'urgent-banner', role: 'status', hidden: true, onclick: () => go('queue') });
  fillBanner(banner, urgentWaiting(state.queue));
  return h('div', { class: 'shell' },
    h('nav', { 'aria-label': t('nav.label') },
      items.map(([view, key]) => h('button', { type: 'button', 'aria-current': current === view ? 'page' : null, onclick: () => go(view), text: t(key) })),
      sound, ask, langSwitch(),
      h('button', { type: 'button', onclick: () => { api('POST', '/console/api/logout', {}).finally(() => { state.me = null; disconnect(); render(); }); }, text: t('nav.logout') }),
      h('span', { class: 'who', text: state.me.displayName + ' (' + label('role', state.me.role) + ')' + (state.me.alias ? ' · ' + t('staff.aliasShown', { alias: state.me.alias }) : '') })),
    availabilityControl(),
    offersBar(),
    banner);
}
