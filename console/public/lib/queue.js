// The queue as the page knows it: re-read on every queue event, then alerts and the views update.
import { state } from './state.js';
import { api, failure } from './api.js';
import { updateAlerts } from './alerts.js';

const watchers = new Set();
export function onQueue(fn) { watchers.add(fn); return () => watchers.delete(fn); }

let pending = null;
let again = false;
/** Reads the queue (one request at a time; a call during one reads once more after it). */
export function loadQueue() {
  if (pending) { again = true; return pending; }
  pending = api('GET', '/console/api/queue/board').then((items) => {
    state.queue = items;
    updateAlerts(items);
    for (const fn of watchers) fn(items);
  }, failure).finally(() => {
    pending = null;
    if (again) { again = false; loadQueue(); }
  });
  return pending;
}
