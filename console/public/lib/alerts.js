// Alerts for chats that must not be missed: a new (or newly raised) emergency or high chat rings
// the alert sound (unless muted), raises a browser notification (when allowed) and keeps a count
// in the tab title until it is claimed. An emergency still waiting past its SLA alerts supervisors
// again. Notifications name the level and channel only, never what the person wrote.
import { state, go } from './state.js';
import { t, label } from './i18n.js';

const URGENT = { high: 1, emergency: 2 };
const SOUND_URL = '/console/sounds/alert.wav';
/** What was already announced (survives a reload of the page): handoff id → level rank, and `id:sla`. */
const announced = new Map(JSON.parse(sessionStorage.getItem('console.announced') || '[]'));
let audio;

export function isMuted() { return localStorage.getItem('console.muted') === '1'; }
export function setMuted(muted) { localStorage.setItem('console.muted', muted ? '1' : '0'); }

export function canAskNotifications() {
  return typeof Notification !== 'undefined' && Notification.permission === 'default';
}
export function askNotifications() {
  if (typeof Notification === 'undefined') return Promise.resolve('denied');
  return Promise.resolve(Notification.requestPermission());
}

function save() {
  sessionStorage.setItem('console.announced', JSON.stringify([...announced].slice(-200)));
}

export function ring() {
  if (isMuted()) return;
  if (!audio) audio = new Audio(SOUND_URL);
  audio.currentTime = 0;
  const played = audio.play();
  if (played && played.catch) played.catch(() => {});
}

function notify(item, body) {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  // Shown when the console is not what the counsellor is looking at.
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const n = new Notification(t('alerts.title', { level: label('level', item.level) }), {
      body,
      tag: 'handoff-' + item.handoffId,
      requireInteraction: item.level === 'emergency',
    });
    n.onclick = () => { window.focus(); go('chat', item.handoffId); n.close(); };
  } catch (_) { /* some browsers only allow notifications from a service worker */ }
}

/** Waiting chats that need someone now: emergency and high. */
export function urgentWaiting(queue) {
  return queue.filter((q) => q.state === 'waiting' && URGENT[q.level]);
}

/** Keeps the title count and raises alerts for what is new in the queue. */
export function updateAlerts(queue) {
  const urgent = urgentWaiting(queue);
  const base = t('title');
  document.title = urgent.length ? '(' + urgent.length + ') ' + t('alerts.titleCount', { count: urgent.length }) + ' · ' + base : base;
  let sounded = false;
  for (const item of urgent) {
    const rank = URGENT[item.level];
    if ((announced.get(item.handoffId) || 0) < rank) {
      announced.set(item.handoffId, rank);
      notify(item, t('alerts.body', { channel: label('channel', item.channel), level: label('level', item.level) }));
      sounded = true;
    }
    // Past the SLA and still waiting: supervisors hear about an emergency again.
    if (item.level === 'emergency' && item.slaBreached && state.me && state.me.role !== 'counsellor' && !announced.get(item.handoffId + ':sla')) {
      announced.set(item.handoffId + ':sla', 1);
      notify(item, t('alerts.slaBody', { channel: label('channel', item.channel) }));
      sounded = true;
    }
  }
  if (sounded) { ring(); save(); }
  const banner = document.getElementById('urgent-banner');
  if (banner) fillBanner(banner, urgent);
}

export function fillBanner(banner, urgent) {
  banner.hidden = !urgent.length;
  banner.textContent = urgent.length ? t('alerts.banner', { count: urgent.length }) : '';
}
