// The 111 console: a small single-page app in plain ES modules (no build step), one module per
// view under views/. Every value from the server is put in the page with textContent, never as HTML.
import { state, setRenderer, go } from './lib/state.js';
import { api } from './lib/api.js';
import { t } from './lib/i18n.js';
import { connect, onLive } from './lib/live.js';
import { loadQueue } from './lib/queue.js';
import { updateAlerts } from './lib/alerts.js';
import { loadAvailability } from './lib/availability.js';
import { shell } from './views/shell.js';
import { loginView } from './views/login.js';
import { queueView } from './views/queue.js';
import { chatView } from './views/chat.js';
import { reportsView } from './views/reports.js';
import { dashboardView } from './views/dashboard.js';
import { directoryView } from './views/directory.js';
import { staffView } from './views/staff.js';
import { channelsView } from './views/channels.js';
import { teamView } from './views/team.js';
import { enrolView } from './views/enrol.js';
import { passwordView } from './views/password.js';

const VIEWS = { queue: queueView, chat: chatView, reports: reportsView, dashboard: dashboardView, directory: directoryView, staff: staffView, channels: channelsView, team: teamView, password: passwordView, enrol: () => enrolView(started) };
const app = document.getElementById('app');
/** The shown view's clean-up (its live subscriptions). */
let cleanup = () => {};

function draw() {
  cleanup();
  cleanup = () => {};
  document.documentElement.lang = state.lang;
  if (!state.me) { document.title = t('title'); return app.replaceChildren(loginView(started)); }
  if (state.me.mustEnrolTotp) { document.title = t('title'); return app.replaceChildren(enrolView(started)); }
  updateAlerts(state.queue);
  const view = (VIEWS[state.view] || queueView)(state.handoffId);
  cleanup = view.cleanup || cleanup;
  app.replaceChildren(shell(), view.el || view);
}
setRenderer(draw);

/** After login (or enrolment): the live socket and the queue. */
function started() {
  connect();
  loadQueue();
  loadAvailability();
  go('queue');
}

onLive((e) => {
  if (e.type === 'hello' || e.type.startsWith('handoff') || e.type === 'sla.breached' || e.type === 'delivery.failed' || e.type === 'bus.resync') loadQueue();
  // Offers and availability come only to the counsellor concerned (and supervisors).
  const mine = state.me && (e.counsellorId === state.me.id || e.userId === state.me.id);
  // My open chats change with claims, transfers and closes too (handoff.updated names no holder): re-read on those.
  if (e.type === 'hello' || e.type === 'bus.resync' || e.type === 'handoff.updated' || (mine && (e.type === 'handoff.offered' || e.type === 'handoff.offer_ended' || e.type === 'staff.availability'))) loadAvailability();
});
// Wait times tick without a request.
setInterval(() => { document.dispatchEvent(new CustomEvent('console:tick')); }, 1000);

api('GET', '/console/api/me').then((me) => {
  state.me = me;
  if (!me.mustEnrolTotp) { connect(); loadQueue(); loadAvailability(); }
  draw();
}, () => draw());
