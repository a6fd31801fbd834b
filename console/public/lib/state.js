// The page's shared state and its one router: every view reads `state` and calls `go` to move.
export const state = {
  me: null,
  lang: localStorage.getItem('console.lang') === 'en' ? 'en' : 'vi',
  view: 'queue',
  handoffId: null,
  queue: [],
  /** { status, capacity, open, offers } from /console/api/me/availability. */
  availability: null,
  ws: null,
};

let renderer = () => {};
/** app.js registers the function that draws the current view. */
export function setRenderer(fn) { renderer = fn; }
export function render() { renderer(); }
export function go(view, handoffId) {
  state.view = view;
  state.handoffId = handoffId || null;
  render();
}
