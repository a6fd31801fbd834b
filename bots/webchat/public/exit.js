// Quick exit, on every public page: the button or the Esc key leaves at once, replacing this page in
// the history (Back does not return), and forgets the chat kept in this tab. Plain browser JavaScript.
(function () {
  'use strict';
  var button = document.getElementById('quick-exit');
  if (!button) return;
  var target = button.getAttribute('data-exit');
  function quickExit() {
    try { sessionStorage.clear(); } catch (e) { /* storage may be off */ }
    document.body.innerHTML = '';
    window.location.replace(target);
  }
  button.addEventListener('click', quickExit);
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape') quickExit(); }, true);
})();
