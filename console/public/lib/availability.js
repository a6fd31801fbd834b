// The counsellor's own availability and capacity, and the chats offered to them (fair assignment):
// an offer rings and notifies like an urgent chat, and waits in the bar with Accept and Decline.
import { state, go, render } from './state.js';
import { api, failure, flash } from './api.js';
import { t, label } from './i18n.js';
import { ring } from './alerts.js';
import { levelWords } from './risk-words.js';

const seenOffers = new Set();
const watchers = new Set();
export function onAvailability(fn) { watchers.add(fn); return () => watchers.delete(fn); }

function changed() { for (const fn of watchers) fn(state.availability); }

export function loadAvailability() {
  return api('GET', '/console/api/me/availability').then((a) => {
    state.availability = a;
    let fresh = false;
    for (const offer of a.offers) {
      if (seenOffers.has(offer.handoffId)) continue;
      seenOffers.add(offer.handoffId);
      fresh = true;
      notifyOffer(offer);
    }
    if (fresh) ring();
    changed();
  }, () => {});
}

function notifyOffer(offer) {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  const item = state.queue.find((q) => q.handoffId === offer.handoffId);
  try {
    const n = new Notification(t('offers.notifyTitle'), { body: item ? levelWords(item) + ' · ' + label('channel', item.channel) : '', tag: 'offer-' + offer.handoffId, requireInteraction: true });
    n.onclick = () => { window.focus(); go('queue'); n.close(); };
  } catch (_) { /* notifications unavailable here */ }
}

export function setAvailability(status, capacity) {
  const body = { status };
  if (capacity) body.capacity = capacity;
  return api('PUT', '/console/api/me/availability', body).then((a) => { state.availability = a; changed(); render(); }, failure);
}

export function acceptOffer(handoffId) {
  return api('POST', '/console/api/handoffs/' + handoffId + '/accept', {}).then(() => { loadAvailability(); go('chat', handoffId); }, (err) => {
    if (err.code === 'OFFER_NOT_YOURS') { flash(t('offers.gone')); loadAvailability(); return; }
    failure(err);
  });
}

export function declineOffer(handoffId) {
  return api('POST', '/console/api/handoffs/' + handoffId + '/decline', {}).then(() => loadAvailability(), failure);
}
