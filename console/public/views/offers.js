// In the bar: my status (available or away) and capacity, and the chats offered to me with a countdown.
import { state } from '../lib/state.js';
import { t, label } from '../lib/i18n.js';
import { levelWords } from '../lib/risk-words.js';
import { h, setChildren } from '../lib/dom.js';
import { onAvailability, setAvailability, acceptOffer, declineOffer } from '../lib/availability.js';

const CAPACITIES = [1, 2, 3, 4, 5, 6, 8, 10];

/** Redraws `draw` into a box when my availability changes, until the box leaves the page. */
function live(box, draw) {
  draw();
  const stop = onAvailability(() => { if (!box.isConnected) return stop(); draw(); });
  return box;
}

export function availabilityControl() {
  const box = h('div', { class: 'availability', id: 'availability' });
  return live(box, () => {
    const a = state.availability;
    box.hidden = !a;
    if (!a) return;
    const available = a.status === 'available';
    box.className = 'availability' + (available ? ' on' : '');
    const capacity = h('select', { id: 'capacity', onchange: () => setAvailability(a.status, Number(capacity.value)) },
      CAPACITIES.concat(CAPACITIES.includes(a.capacity) ? [] : [a.capacity]).sort((x, y) => x - y).map((n) => h('option', { value: String(n), selected: n === a.capacity, text: String(n) })));
    setChildren(box,
      h('span', { class: 'label', text: t('availability.me') }),
      h('button', { type: 'button', id: 'availability-toggle', 'aria-pressed': available ? 'true' : 'false', onclick: () => setAvailability(available ? 'away' : 'available'),
        text: available ? t('availability.available') : t('availability.away') }),
      h('label', { for: 'capacity', text: t('availability.capacity') }), capacity,
      h('span', { class: 'open-count', text: t('availability.open', { open: a.open, capacity: a.capacity }) }));
  });
}

/** The offers waiting for my answer; redrawn every second (the countdown) and when they change. */
export function offersBar() {
  const bar = h('div', { id: 'offers', class: 'offers', role: 'alert' });
  const draw = () => {
    const offers = (state.availability && state.availability.offers) || [];
    bar.hidden = !offers.length;
    setChildren(bar, offers.map((o) => {
      const item = state.queue.find((q) => q.handoffId === o.handoffId);
      const left = Math.max(0, Math.round((new Date(o.expiresAt).getTime() - Date.now()) / 1000));
      return h('div', { class: 'offer', 'data-handoff': o.handoffId },
        h('strong', { text: t('offers.offered') }), ' ',
        item ? h('span', { text: levelWords(item) + ' · ' + label('channel', item.channel) + ' · ' }) : null,
        h('span', { class: 'countdown', text: t('offers.left', { seconds: left }) }), ' ',
        h('button', { type: 'button', class: 'claim accept', onclick: () => acceptOffer(o.handoffId), text: t('offers.accept') }),
        h('button', { type: 'button', class: 'decline', onclick: () => declineOffer(o.handoffId), text: t('offers.decline') }));
    }));
  };
  draw();
  const stop = onAvailability(draw);
  const tick = () => { if (!bar.isConnected) { stop(); document.removeEventListener('console:tick', tick); return; } draw(); };
  document.addEventListener('console:tick', tick);
  return bar;
}
