// The 111 console: a small single-page app, plain browser JavaScript (no build step).
// Every value from the server is put in the page with textContent, never as HTML.
(function () {
  'use strict';
  var STRINGS = JSON.parse(document.getElementById('strings').textContent);
  var state = { me: null, lang: localStorage.getItem('console.lang') || 'vi', view: 'queue', handoffId: null, queue: [], ws: null };
  var app = document.getElementById('app');

  function t(key, params) {
    var value = key.split('.').reduce(function (o, k) { return o && o[k]; }, STRINGS[state.lang]);
    if (typeof value !== 'string') return key;
    return value.replace(/\{\{(\w+)\}\}/g, function (_, name) { return params && params[name] != null ? String(params[name]) : ''; });
  }
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : v);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null || c === false) continue;
      (Array.isArray(c) ? c.flat(Infinity) : [c]).forEach(function (x) { if (x != null && x !== false) el.appendChild(typeof x === 'string' ? document.createTextNode(x) : x); });
    }
    return el;
  }
  function api(method, url, body) {
    var headers = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && state.me) headers['x-csrf-token'] = state.me.csrfToken;
    return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().then(function (data) {
        if (!r.ok) { var err = new Error((data && data.error && data.error.message) || r.statusText); err.code = data && data.error && data.error.code; err.status = r.status; throw err; }
        return data;
      });
    });
  }
  function flash(message, kind) {
    var box = document.getElementById('flash');
    if (box) { box.textContent = message; box.className = 'flash ' + (kind || 'error'); }
  }
  function failure(err) {
    if (err.code === 'HANDOFF_TAKEN') return flash(t('queue.taken'));
    if (err.code === 'HANDOFF_NOT_OWNER') return flash(t('chat.notOwner'));
    if (err.status === 401) { state.me = null; return render(); }
    flash(t('errors.generic', { message: err.message }));
  }
  function minutes(from) {
    var s = Math.max(0, Math.floor((Date.now() - new Date(from).getTime()) / 1000));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  function go(view, handoffId) { state.view = view; state.handoffId = handoffId || null; render(); }

  // ---- login ----
  function loginView() {
    var email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
    var password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
    return h('main', { class: 'login' }, h('h1', { text: t('title') }),
      h('form', { onsubmit: function (e) {
        e.preventDefault();
        api('POST', '/console/api/login', { email: email.value, password: password.value }).then(function (me) { state.me = me; connect(); loadQueue(); go('queue'); }, function (err) {
          flash(err.status === 429 ? t('login.limited') : t('login.failed'));
        });
      } }, h('h2', { text: t('login.heading') }), h('label', { for: 'email', text: t('login.email') }), email, h('label', { for: 'password', text: t('login.password') }), password,
        h('button', { type: 'submit', text: t('login.submit') })),
      h('p', { id: 'flash', role: 'alert' }), langSwitch());
  }
  function langSwitch() {
    return h('button', { type: 'button', class: 'link', onclick: function () { state.lang = state.lang === 'vi' ? 'en' : 'vi'; localStorage.setItem('console.lang', state.lang); render(); }, text: t('nav.language') });
  }
  function nav() {
    var items = [['queue', 'nav.queue', 'counsellor']];
    if (state.me.role !== 'counsellor') items.push(['reports', 'nav.reports'], ['dashboard', 'nav.dashboard'], ['directory', 'nav.directory']);
    if (state.me.role === 'admin') items.push(['staff', 'nav.staff']);
    items.push(['password', 'nav.password']);
    return h('nav', { 'aria-label': 'console' }, items.map(function (i) { return h('button', { type: 'button', 'aria-current': state.view === i[0] ? 'page' : null, onclick: function () { go(i[0]); }, text: t(i[1]) }); }),
      langSwitch(), h('button', { type: 'button', onclick: function () { api('POST', '/console/api/logout', {}).finally(function () { state.me = null; render(); }); }, text: t('nav.logout') }),
      h('span', { class: 'who', text: state.me.displayName + ' (' + t('staff.' + state.me.role) + ')' }));
  }

  // ---- queue ----
  function highlight(item) {
    return item.matches.filter(function (m) { return m.term; }).map(function (m) { return h('mark', { text: m.term }); });
  }
  function queueView() {
    var rows = state.queue.map(function (q) {
      var mine = q.counsellorId === state.me.id;
      return h('li', { class: 'item level-' + q.level + (q.slaBreached ? ' breached' : ''), 'data-handoff': q.handoffId },
        h('div', { class: 'meta' }, h('strong', { text: t('queue.level') + ': ' + q.level }), ' · ', q.channel, ' · ', q.locale,
          q.slaBreached ? h('span', { class: 'badge', text: t('queue.sla') }) : null,
          h('span', { class: 'wait', 'data-since': q.createdAt, text: t('queue.wait') + ' ' + minutes(q.createdAt) })),
        q.categories.length ? h('div', { text: t('queue.categories') + ': ' + q.categories.join(', ') }) : null,
        h('div', { class: 'matched' }, highlight(q)),
        q.state === 'waiting'
          ? h('button', { type: 'button', class: 'claim', onclick: function () { api('POST', '/console/api/handoffs/' + q.handoffId + '/claim', {}).then(function () { go('chat', q.handoffId); }, failure); }, text: t('queue.claim') })
          : h('button', { type: 'button', onclick: function () { go('chat', q.handoffId); }, text: (mine ? t('queue.mine') + ' · ' : t('queue.claimed') + ' · ') + t('queue.open') }));
    });
    return h('main', null, h('h1', { text: t('queue.heading') }), h('p', { id: 'flash', role: 'alert' }),
      rows.length ? h('ul', { class: 'queue', id: 'queue' }, rows) : h('p', { id: 'queue-empty', text: t('queue.empty') }));
  }
  function loadQueue() {
    return api('GET', '/console/api/queue').then(function (q) { state.queue = q; if (state.view === 'queue') render(); }, failure);
  }

  // ---- chat ----
  function chatView(data) {
    var transcript = h('ol', { class: 'transcript', id: 'transcript', 'aria-label': t('chat.transcript') }, data.transcript.map(function (m) {
      return h('li', { class: 'msg ' + m.author }, h('span', { class: 'author', text: t('chat.' + m.author) }), h('span', { class: 'text', text: m.text || (m.choiceId ? '[' + m.choiceId + ']' : '') }));
    }));
    var lastTyping = 0;
    var replyBox = h('textarea', { id: 'reply', rows: 3, 'aria-label': t('chat.reply'), oninput: function () {
      // Tell the user's channel we are typing, at most every 4 seconds.
      if (Date.now() - lastTyping < 4000 || data.handoff.counsellorId !== state.me.id) return;
      lastTyping = Date.now();
      api('POST', '/console/api/handoffs/' + data.handoff.handoffId + '/typing', {}).catch(function () {});
    } });
    var locale = (data.conversation && data.conversation.locale) || 'vi';
    var cannedStrings = STRINGS[locale === 'en' ? 'en' : 'vi'].canned;
    var canned = Object.keys(cannedStrings).map(function (k) { return h('button', { type: 'button', class: 'canned', onclick: function () { replyBox.value = cannedStrings[k]; replyBox.focus(); }, text: cannedStrings[k].slice(0, 40) + '…' }); });
    var note = h('input', { id: 'note', 'aria-label': t('chat.notes') });
    var outcome = h('select', { id: 'outcome', 'aria-label': t('chat.outcome') }, Object.keys(STRINGS[state.lang].outcomes).map(function (k) { return h('option', { value: k, text: t('outcomes.' + k) }); }));
    var summary = h('textarea', { id: 'summary', rows: 2, 'aria-label': t('chat.summary') });
    var reference = h('input', { id: 'report-reference', 'aria-label': t('chat.reportReference'), placeholder: 'HT-XXXX-XXXX' });
    var staffSelect = h('select', { id: 'transfer-to', 'aria-label': t('chat.transferTo') }, h('option', { value: '', text: t('chat.backToQueue') }));
    api('GET', '/console/api/staff').then(function (list) { list.filter(function (s) { return !s.disabled && s.id !== state.me.id; }).forEach(function (s) { staffSelect.appendChild(h('option', { value: s.id, text: s.displayName })); }); }, function () {});
    var id = data.handoff.handoffId;
    var act = function (path, body) { return api('POST', '/console/api/handoffs/' + id + path, body); };
    return h('main', null,
      h('button', { type: 'button', onclick: function () { go('queue'); }, text: '← ' + t('chat.back') }),
      h('h1', { text: t('chat.transcript') + ' · ' + (data.conversation ? data.conversation.channel + ' · ' + data.conversation.locale : '') }),
      h('p', { id: 'flash', role: 'alert' }),
      data.handoff.state === 'waiting' ? h('button', { type: 'button', class: 'claim', onclick: function () { act('/claim', {}).then(function () { go('chat', id); }, failure); }, text: t('queue.claim') }) : null,
      transcript,
      h('form', { class: 'reply', onsubmit: function (e) { e.preventDefault(); if (!replyBox.value.trim()) return; act('/reply', { text: replyBox.value }).then(function () { replyBox.value = ''; openChat(id); }, failure); } },
        h('label', { for: 'reply', text: t('chat.reply') }), replyBox, h('div', { class: 'canned-list', 'aria-label': t('chat.canned') }, canned), h('button', { type: 'submit', id: 'send', text: t('chat.send') })),
      h('section', null, h('h2', { text: t('chat.notes') }), h('ul', null, data.notes.map(function (n) { return h('li', { text: n.text }); })),
        h('form', { onsubmit: function (e) { e.preventDefault(); act('/notes', { text: note.value }).then(function () { openChat(id); }, failure); } }, note, h('button', { type: 'submit', text: t('chat.addNote') }))),
      h('section', { class: 'actions' },
        h('form', { onsubmit: function (e) { e.preventDefault(); act('/transfer', { toCounsellorId: staffSelect.value || null }).then(function () { go('queue'); }, failure); } }, staffSelect, h('button', { type: 'submit', text: t('chat.transfer') })),
        h('button', { type: 'button', id: 'hand-back', onclick: function () { act('/handback', {}).then(function () { go('queue'); }, failure); }, text: t('chat.handBack') }),
        reportForm(id),
        h('form', { id: 'close-form', onsubmit: function (e) { e.preventDefault(); var body = { outcome: outcome.value }; if (summary.value.trim()) body.summary = summary.value; if (reference.value.trim()) body.reportReference = reference.value; act('/close', body).then(function () { go('queue'); }, failure); } },
          h('label', { for: 'outcome', text: t('chat.outcome') }), outcome, h('label', { for: 'summary', text: t('chat.summary') }), summary, h('label', { for: 'report-reference', text: t('chat.reportReference') }), reference, h('button', { type: 'submit', text: t('chat.close') }))));
  }
  // A report filed for the user (told over the chat); the codes are shown once to read out.
  function reportForm(id) {
    var categories = ['forced_labour', 'sexual_exploitation', 'scam_compound', 'forced_marriage', 'organ_fetus', 'child_at_risk', 'missing_person', 'job_offer', 'other'];
    var category = h('select', { id: 'report-category', 'aria-label': t('reports.category') }, categories.map(function (c) { return h('option', { value: c, text: c }); }));
    var province = h('input', { id: 'report-province', 'aria-label': t('reports.place'), placeholder: 'ha-noi' });
    var evidence = h('textarea', { id: 'report-evidence', rows: 2, 'aria-label': t('chat.summary') });
    var inDanger = h('input', { type: 'checkbox', id: 'report-danger' });
    return h('details', null, h('summary', { text: t('chat.fileReport') }),
      h('form', { id: 'report-form', onsubmit: function (e) {
        e.preventDefault();
        var body = { category: category.value, inDanger: inDanger.checked };
        if (province.value.trim()) body.province = province.value.trim();
        if (evidence.value.trim()) body.evidence = evidence.value.trim();
        api('POST', '/console/api/handoffs/' + id + '/report', body).then(function (r) {
          flash(t('chat.reportCreated', { reference: r.referenceCode, code: r.followUpCode }), 'ok');
          var ref = document.getElementById('report-reference'); if (ref) ref.value = r.referenceCode;
        }, failure);
      } }, category, province, evidence, h('label', null, inDanger, ' 113'), h('button', { type: 'submit', text: t('chat.fileReport') })));
  }
  function openChat(id) {
    return api('GET', '/console/api/handoffs/' + id).then(function (data) {
      if (state.view !== 'chat' || state.handoffId !== id) return;
      app.replaceChildren(nav(), chatView(data));
      var list = document.getElementById('transcript'); if (list) list.lastElementChild && list.lastElementChild.scrollIntoView({ block: 'nearest' });
    }, failure);
  }

  // ---- supervisor views ----
  function reportsView() {
    var main = h('main', null, h('h1', { text: t('reports.heading') }), h('p', { id: 'flash', role: 'alert' }));
    api('GET', '/console/api/reports').then(function (list) {
      main.appendChild(h('table', null, h('tr', null, ['reference', 'category', 'place', 'status', 'created'].map(function (k) { return h('th', { text: t('reports.' + k) }); }), h('th')),
        list.map(function (r) {
          return h('tr', null, h('td', { text: r.referenceCode }), h('td', { text: r.category }), h('td', { text: r.province || '' }), h('td', { text: t('reports.' + r.status) }), h('td', { text: r.createdAt.slice(0, 10) }),
            h('td', null, h('button', { type: 'button', onclick: function () { showReport(main, r.id); }, text: t('reports.open') })));
        })));
    }, failure);
    return main;
  }
  function showReport(main, id) {
    api('GET', '/console/api/reports/' + id).then(function (r) {
      var status = h('select', { 'aria-label': t('reports.status') }, ['received', 'referred', 'closed'].map(function (s) { return h('option', { value: s, selected: s === r.status, text: t('reports.' + s) }); }));
      var box = h('section', { class: 'report' }, h('h2', { text: r.referenceCode }),
        h('dl', null, Object.keys(r.body).map(function (k) { return [h('dt', { text: k }), h('dd', { text: r.body[k] == null ? '' : String(r.body[k]) })]; })),
        r.additions.map(function (a) { return h('p', { text: a.text }); }),
        h('form', { onsubmit: function (e) { e.preventDefault(); api('POST', '/console/api/reports/' + id + '/status', { status: status.value }).then(function () { flash(t('directory.saved'), 'ok'); }, failure); } }, status, h('button', { type: 'submit', text: t('reports.setStatus') })),
        h('a', { href: '/console/reports/' + id + '/referral?lang=' + state.lang, target: '_blank', rel: 'noopener', text: t('reports.referral') }));
      var old = main.querySelector('section.report'); if (old) old.remove();
      main.appendChild(box);
    }, failure);
  }
  function dashboardView() {
    var today = new Date().toISOString().slice(0, 10);
    var monthAgo = new Date(Date.now() - 29 * 864e5).toISOString().slice(0, 10);
    var from = h('input', { type: 'date', id: 'from', value: monthAgo }), to = h('input', { type: 'date', id: 'to', value: today });
    var out = h('div', { id: 'figures' });
    var csv = h('a', { id: 'csv', href: '#', text: t('dashboard.csv') });
    function load() {
      csv.setAttribute('href', '/console/api/dashboard.csv?from=' + from.value + '&to=' + to.value);
      api('GET', '/console/api/dashboard?from=' + from.value + '&to=' + to.value).then(function (f) {
        var sum = function (k) { return f.days.reduce(function (a, d) { return a + d[k]; }, 0); };
        out.replaceChildren(h('dl', null,
          [['contacts', sum('contacts')], ['information', sum('information')], ['advice', sum('advice')], ['reports', f.reports], ['median', f.waitSeconds.median == null ? '—' : Math.round(f.waitSeconds.median)], ['p90', f.waitSeconds.p90 == null ? '—' : Math.round(f.waitSeconds.p90)], ['sla', f.slaBreaches]]
            .map(function (p) { return [h('dt', { text: t('dashboard.' + p[0]) }), h('dd', { text: String(p[1]) })]; })),
          h('h2', { text: t('dashboard.escalations') }), h('p', { text: JSON.stringify(f.escalations) }),
          h('h2', { text: t('dashboard.outcomes') }), h('ul', null, Object.keys(f.outcomes).map(function (k) { return h('li', { text: t('outcomes.' + k) + ': ' + f.outcomes[k] }); })),
          h('table', null, f.days.map(function (d) { return h('tr', null, h('td', { text: d.day }), h('td', { text: d.channel }), h('td', { text: String(d.contacts) }), h('td', { text: String(d.information) }), h('td', { text: String(d.advice) })); })));
      }, failure);
    }
    setTimeout(load, 0);
    return h('main', null, h('h1', { text: t('dashboard.heading') }), h('p', { id: 'flash', role: 'alert' }),
      h('form', { onsubmit: function (e) { e.preventDefault(); load(); } }, h('label', { for: 'from', text: t('dashboard.from') }), from, h('label', { for: 'to', text: t('dashboard.to') }), to, h('button', { type: 'submit', text: t('dashboard.show') })), csv, out);
  }
  function directoryView() {
    var main = h('main', null, h('h1', { text: t('directory.heading') }), h('p', { id: 'flash', role: 'alert' }));
    api('GET', '/console/api/directory').then(function (list) {
      main.appendChild(h('ul', { class: 'directory' }, list.map(function (e) {
        var field = function (tag, key, label, extra) {
          var el = h(tag, Object.assign({ 'aria-label': label + ' · ' + e.nameVi }, extra || {}));
          el.value = e[key] == null ? '' : Array.isArray(e[key]) ? e[key].join(', ') : e[key];
          return el;
        };
        var nameVi = field('input', 'nameVi', 'Tên (vi)'), nameEn = field('input', 'nameEn', 'Name (en)');
        var descriptionVi = field('textarea', 'descriptionVi', 'Mô tả (vi)', { rows: 2 }), descriptionEn = field('textarea', 'descriptionEn', 'Description (en)', { rows: 2 });
        var services = field('input', 'services', 'services'), groups = field('input', 'groups', 'groups'), provinces = field('input', 'provinces', 'provinces');
        var phone = field('input', 'phone', t('directory.phone')), website = field('input', 'website', t('directory.website'));
        var address = field('input', 'address', t('directory.address')), hours = field('input', 'hours', t('directory.hours'));
        var contactSource = field('input', 'contactSource', t('directory.contactSource'));
        var contactVerifiedAt = h('input', { type: 'date', 'aria-label': t('directory.contactVerifiedAt') + ' · ' + e.nameVi });
        contactVerifiedAt.value = e.contactVerifiedAt ? String(e.contactVerifiedAt).slice(0, 10) : '';
        var referral = h('input', { type: 'checkbox', checked: e.referral !== false, 'aria-label': t('directory.referral') + ' · ' + e.nameVi });
        var national = h('input', { type: 'checkbox', checked: e.national, 'aria-label': 'national · ' + e.nameVi });
        var active = h('input', { type: 'checkbox', checked: e.active, 'aria-label': t('directory.active') + ' · ' + e.nameVi });
        var list = function (input) { return input.value.split(',').map(function (x) { return x.trim(); }).filter(Boolean); };
        return h('li', null, h('details', null, h('summary', { text: state.lang === 'en' ? e.nameEn : e.nameVi }),
          h('form', { class: 'entry', onsubmit: function (ev) {
            ev.preventDefault();
            var body = { nameVi: nameVi.value, nameEn: nameEn.value, descriptionVi: descriptionVi.value, descriptionEn: descriptionEn.value, services: list(services), groups: list(groups), provinces: list(provinces), national: national.checked, phone: phone.value.trim() || null, website: website.value.trim() || null, active: active.checked,
              address: address.value.trim() || null, hours: hours.value.trim() || null, contactSource: contactSource.value.trim() || null, contactVerifiedAt: contactVerifiedAt.value || null, referral: referral.checked };
            api('PUT', '/console/api/directory/' + e.id, body).then(function () { flash(t('directory.saved'), 'ok'); }, failure);
          } }, nameVi, nameEn, descriptionVi, descriptionEn, services, groups, provinces, phone, website, address, hours, contactSource,
            h('label', null, t('directory.contactVerifiedAt') + ' ', contactVerifiedAt),
            h('label', null, national, ' national'), h('label', null, active, ' ' + t('directory.active')), h('label', null, referral, ' ' + t('directory.referral')), h('button', { type: 'submit', text: t('directory.save') }))));
      })));
    }, failure);
    return main;
  }
  function staffView() {
    var main = h('main', null, h('h1', { text: t('staff.heading') }), h('p', { id: 'flash', role: 'alert' }));
    var email = h('input', { type: 'email', 'aria-label': 'Email', required: true }), name = h('input', { 'aria-label': t('staff.name'), required: true });
    var role = h('select', { 'aria-label': t('staff.role') }, ['counsellor', 'supervisor', 'admin'].map(function (r) { return h('option', { value: r, text: t('staff.' + r) }); }));
    var password = h('input', { type: 'password', 'aria-label': t('login.password'), minlength: 12, required: true });
    main.appendChild(h('form', { onsubmit: function (e) { e.preventDefault(); api('POST', '/console/api/staff', { email: email.value, displayName: name.value, role: role.value, password: password.value, locale: state.lang }).then(function () { go('staff'); }, failure); } },
      h('h2', { text: t('staff.create') }), email, name, role, password, h('button', { type: 'submit', text: t('staff.create') })));
    api('GET', '/console/api/staff').then(function (list) {
      main.appendChild(h('ul', null, list.map(function (s) {
        return h('li', null, s.displayName + ' · ' + s.email + ' · ' + t('staff.' + s.role) + ' ', s.id === state.me.id ? null :
          h('button', { type: 'button', onclick: function () { api('POST', '/console/api/staff/' + s.id + '/disabled', { disabled: !s.disabled }).then(function () { go('staff'); }, failure); }, text: s.disabled ? t('staff.enable') : t('staff.disable') }));
      })));
    }, failure);
    return main;
  }
  function passwordView() {
    var current = h('input', { id: 'current', type: 'password', autocomplete: 'current-password' }), next = h('input', { id: 'next', type: 'password', autocomplete: 'new-password', minlength: 12 });
    return h('main', null, h('h1', { text: t('nav.password') }), h('p', { id: 'flash', role: 'alert' }),
      h('form', { onsubmit: function (e) { e.preventDefault(); api('POST', '/console/api/password', { current: current.value, next: next.value }).then(function () { flash(t('password.done'), 'ok'); }, failure); } },
        h('label', { for: 'current', text: t('password.current') }), current, h('label', { for: 'next', text: t('password.next') }), next, h('button', { type: 'submit', text: t('password.save') })));
  }

  // ---- live ----
  function connect() {
    if (state.ws) state.ws.close();
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/console/ws');
    state.ws = ws;
    ws.onmessage = function (event) {
      var e = JSON.parse(event.data);
      if (e.type === 'hello' || e.type.indexOf('handoff') === 0 || e.type === 'sla.breached') loadQueue();
      if (e.type === 'conversation.message' && state.view === 'chat' && state.handoffId) {
        var current = state.queue.filter(function (q) { return q.handoffId === state.handoffId; })[0];
        if (!current || current.conversationId === e.conversationId) openChat(state.handoffId);
      }
    };
    ws.onclose = function (event) { if (state.me && event.code !== 4401) setTimeout(connect, 2000); };
  }
  setInterval(function () { document.querySelectorAll('.wait[data-since]').forEach(function (el) { el.textContent = t('queue.wait') + ' ' + minutes(el.getAttribute('data-since')); }); }, 1000);

  function render() {
    document.documentElement.lang = state.lang;
    document.title = t('title');
    if (!state.me) return app.replaceChildren(loginView());
    var views = { queue: queueView, reports: reportsView, dashboard: dashboardView, directory: directoryView, staff: staffView, password: passwordView };
    if (state.view === 'chat') { app.replaceChildren(nav(), h('main', null, h('p', { text: '…' }))); return openChat(state.handoffId); }
    app.replaceChildren(nav(), (views[state.view] || queueView)());
  }

  api('GET', '/console/api/me').then(function (me) { state.me = me; connect(); loadQueue(); render(); }, function () { render(); });
})();
