// The /chat page: Web Chat against the built-in Direct Line. Plain browser JavaScript, no build step.
(function () {
  'use strict';
  var settings = JSON.parse(document.getElementById('settings').textContent);
  var STORE_KEY = 'hotline111.chat';
  var status = document.getElementById('status');

  // Quick exit lives in exit.js (shared with the landing page).

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null'); } catch (e) { return null; }
  }
  function save(session) {
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(session)); } catch (e) { /* private mode */ }
  }
  function post(url, token, body) {
    var headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    return fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body || {}), credentials: 'omit', referrerPolicy: 'no-referrer' }).then(function (r) {
      if (!r.ok) { var err = new Error('HTTP ' + r.status); err.status = r.status; throw err; }
      return r.json();
    });
  }

  var directLine;
  function start(session) {
    var domain = window.location.origin + '/v3/directline';
    var fresh = !session;
    var ready = session ? Promise.resolve(session) : post('/v3/directline/tokens/generate').then(function (t) { return { conversationId: t.conversationId, token: t.token, issued: Date.now() }; });
    return ready.then(function (s) {
      save(s);
      // A new conversation is started (and welcomed) before Web Chat connects to its stream.
      return (fresh ? post('/v3/directline/conversations', s.token, { locale: settings.lang }) : Promise.resolve()).then(function (started) {
        // The conversation's own token carries the page's language: Web Chat goes on with it.
        if (started && started.token) { s.token = started.token; s.issued = Date.now(); save(s); }
        var options = { token: s.token, domain: domain, webSocket: true };
        if (!fresh) options.conversationId = s.conversationId;
        directLine = window.WebChat.createDirectLine(options);
        var container = document.getElementById('webchat');
        container.innerHTML = '';
        window.WebChat.renderWebChat({
          directLine: directLine,
          locale: settings.locale,
          userID: 'user',
          // Buttons flow in rows and are never cut off in a scrolling box: on a 360 x 740 phone every
          // choice of the menu and of a question shows at once (the transcript above scrolls instead).
          styleOptions: {
            hideUploadButton: true,
            suggestedActionLayout: 'flow',
            suggestedActionHeight: 40,
            suggestedActionBorderRadius: 20,
            suggestedActionBorderWidth: 1,
            suggestedActionBorderColor: '#0b5cad',
            suggestedActionTextColor: '#0b5cad',
            bubbleMaxWidth: 600,
            bubbleMinHeight: 32,
            paddingRegular: 8,
            rootHeight: '100%'
          }
        }, container);
        window.addEventListener('pagehide', function () { if (directLine && directLine.token) save({ conversationId: s.conversationId, token: directLine.token, issued: Date.now() }); });
      });
    });
  }

  function begin() {
    var session = load();
    // Tokens live 30 minutes; an older session starts afresh (nothing is kept about it here).
    if (session && Date.now() - session.issued > 25 * 60 * 1000) session = null;
    start(session).catch(function () { status && (status.textContent = settings.text.failed); });
  }

  document.getElementById('get-resume').addEventListener('click', function () {
    var session = load();
    if (!session) return;
    post('/chat/resume-code', (directLine && directLine.token) || session.token).then(function (r) {
      document.getElementById('resume-code').textContent = settings.text['resume.explain'] + ' ' + r.code;
    });
  });
  document.getElementById('resume-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var code = document.getElementById('resume-input').value;
    post('/chat/resume', null, { code: code }).then(function (r) {
      save({ conversationId: r.conversationId, token: r.token, issued: Date.now() });
      window.location.reload();
    }, function (err) {
      document.getElementById('resume-code').textContent = err.status === 429 ? settings.text['resume.busy'] : settings.text['resume.invalid'];
    });
  });

  begin();
})();
