// The live channel: bus events (ids only) tell the page what to re-read.
import { state } from './state.js';
import { t } from './i18n.js';
import { h } from './dom.js';

const listeners = new Set();
/** Views subscribe to events while they are shown (returns the unsubscribe). */
export function onLive(fn) { listeners.add(fn); return () => listeners.delete(fn); }

export function connect() {
  if (state.ws) { state.ws.onclose = null; state.ws.close(); }
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/console/ws');
  state.ws = ws;
  ws.onmessage = (event) => {
    const e = JSON.parse(event.data);
    if (e.type === 'security.login_pressure') {
      const banner = document.getElementById('pressure') || document.body.insertBefore(h('p', { id: 'pressure', class: 'flash error', role: 'alert' }), document.getElementById('app'));
      banner.textContent = t('security.pressure', { attempts: e.attempts });
    }
    for (const fn of listeners) fn(e);
  };
  ws.onclose = (event) => { if (state.me && event.code !== 4401 && state.ws === ws) setTimeout(connect, 2000); };
}

export function disconnect() {
  if (state.ws) { state.ws.onclose = null; state.ws.close(); state.ws = null; }
}
