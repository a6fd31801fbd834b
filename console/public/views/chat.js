// A chat with its context: the transcript (no empty bubbles: choices, locations and files in
// words; each user message's risk reading), the level and why, the safety flags, what the person
// asked for, where they are, the wait, the report draft so far, earlier contacts of the same
// person, notes; the reply box with searchable canned replies; the counsellor's actions.
import { state, go } from '../lib/state.js';
import { api, flash, failure } from '../lib/api.js';
import { t, label, place, keysOf, dateTime, since, duration, PLACES } from '../lib/i18n.js';
import { h, setChildren } from '../lib/dom.js';
import { onLive } from '../lib/live.js';
import { levelWords, sourceLine, flagLines, detailsLine, categoriesLine, termMarks, whereWords } from '../lib/risk-words.js';
import { fieldRows } from '../lib/report-fields.js';
import { reportThread } from '../lib/report-thread.js';
import { cannedFor, registersFor, currentRegister, saveRegister, fill, fold } from '../lib/canned.js';

const LEVELS = ['none', 'elevated', 'high', 'emergency'];
const REPORT_CATEGORIES = ['forced_labour', 'sexual_exploitation', 'scam_compound', 'forced_marriage', 'organ_fetus', 'child_at_risk', 'missing_person', 'job_offer', 'other'];
const COUNTRIES = ['KH', 'MM', 'LA', 'CN', 'TH', 'MY', 'other'];
const WHEN = ['today', 'week', 'month', 'older', 'ongoing', 'unknown'];

const options = (ids, labelOf, empty) => [empty ? h('option', { value: '', text: empty }) : null, ...ids.map((id) => h('option', { value: id, text: labelOf(id) }))];

// ---------------------------------------------------------------- transcript
/** What a message says, in words: its text, the choice it picked, or what was sent. Null: nothing to show. */
function messageWords(m, choiceLabels) {
  if (m.text && m.text.trim()) return m.text;
  if (m.choiceId) return t('chat.chose', { choice: choiceLabels.get(m.choiceId) || t('chat.aChoice') });
  if (m.kind === 'location') return t('chat.sharedLocation');
  if (m.kind === 'attachment') return t('chat.sentFile');
  if (m.kind === 'command') return t('chat.command');
  return null;
}

function transcriptList(data, ctx, canLabelMessages) {
  const risks = new Map((ctx.risks || []).map((r) => [r.messageId, r]));
  const labelled = new Map(((ctx.labels && ctx.labels.messages) || []).map((l) => [l.messageId, l.level]));
  const choiceLabels = new Map();
  const items = [];
  for (const m of data.transcript) {
    for (const c of m.choices || []) choiceLabels.set(c.id, c.label);
    const words = messageWords(m, choiceLabels);
    if (words == null) continue;
    const risk = risks.get(m.id);
    items.push(h('li', { class: 'msg ' + m.author + (risk && risk.level !== 'none' ? ' risk-' + risk.level : ''), 'data-message': m.id },
      h('div', { class: 'msg-head' },
        h('span', { class: 'author', text: label('author', m.author) }),
        h('time', { datetime: m.createdAt, text: dateTime(m.createdAt) }),
        m.undelivered || m.status === 'failed' ? h('span', { class: 'badge', text: t('chat.notDelivered') + (m.errorCode ? ' · ' + label('deliveryError', m.errorCode) : '') }) : null,
        (m.undelivered || m.status === 'failed') && canLabelMessages ? h('button', { type: 'button', class: 'retry', onclick: (e) => {
          e.target.disabled = true;
          api('POST', '/console/api/messages/' + m.id + '/retry', {}).then(() => { e.target.textContent = t('chat.retrying'); }, (err) => { e.target.disabled = false; failure(err); });
        }, text: t('chat.retry') }) : null,
        risk && risk.level !== 'none' ? h('span', { class: 'risk-badge level-' + risk.level, text: label('level', risk.level) + ' · ' + label('sourceShort', risk.source) }) : null),
      h('p', { class: 'text', text: words }),
      m.choices && m.choices.length ? h('ul', { class: 'choices', 'aria-label': t('chat.offered') }, m.choices.map((c) => h('li', { text: c.label }))) : null,
      canLabelMessages && m.author === 'user' && m.text ? missedRiskControl(m, labelled.get(m.id)) : null));
  }
  return h('ol', { class: 'transcript', id: 'transcript', 'aria-label': t('chat.transcript') }, items);
}

/** Supervisors: mark a message the detector missed or misjudged with the level it deserves. */
function missedRiskControl(m, current) {
  const select = h('select', { 'aria-label': t('labelsUi.markMissed') }, LEVELS.map((l) => h('option', { value: l, selected: l === current, text: label('level', l) })));
  const done = h('span', { class: 'hint', text: current ? t('labelsUi.marked', { level: label('level', current) }) : '' });
  return h('details', { class: 'missed' }, h('summary', { text: t('labelsUi.markMissed') }),
    h('form', { class: 'inline', onsubmit: (e) => {
      e.preventDefault();
      api('POST', '/console/api/messages/' + m.id + '/risk-label', { level: select.value }).then((r) => { done.textContent = t('labelsUi.marked', { level: label('level', r.level) }); }, failure);
    } }, select, h('button', { type: 'submit', text: t('labelsUi.save') }), done));
}

// ---------------------------------------------------------------- context
function escalationLabels(id, ctx) {
  const esc = ctx.handoff.escalation;
  if (!esc) return null;
  const saved = ctx.labels && ctx.labels.escalation;
  const status = h('p', { id: 'label-status', class: 'hint', text: saved ? t('labelsUi.yourVerdict', { verdict: label('verdict', saved.verdict), level: label('level', saved.level) }) : '' });
  // The levels a "too high" or "too low" verdict may name, nearest first (the default is one step).
  const lower = LEVELS.slice(0, LEVELS.indexOf(esc.level)).reverse(), higher = LEVELS.slice(LEVELS.indexOf(esc.level) + 1);
  const levelSelect = (ids) => h('select', { 'aria-label': t('labelsUi.shouldBe') }, ids.map((l) => h('option', { value: l, text: label('level', l) })));
  const tooHighLevel = lower.length ? levelSelect(lower) : null, tooLowLevel = higher.length ? levelSelect(higher) : null;
  const send = (verdict, select) => api('POST', '/console/api/handoffs/' + id + '/risk-label', select ? { verdict, level: select.value } : { verdict })
    .then((r) => { status.textContent = t('labelsUi.yourVerdict', { verdict: label('verdict', verdict), level: label('level', r.level) }); }, failure);
  return h('section', { id: 'risk-label', class: 'box' }, h('h3', { text: t('labelsUi.question', { level: label('level', esc.level) }) }),
    h('div', { class: 'inline' },
      h('button', { type: 'button', id: 'label-right', onclick: () => send('right'), text: label('verdict', 'right') }),
      tooHighLevel ? h('span', { class: 'pair' }, h('button', { type: 'button', id: 'label-too-high', onclick: () => send('too_high', tooHighLevel), text: label('verdict', 'too_high') }), tooHighLevel) : null,
      tooLowLevel ? h('span', { class: 'pair' }, h('button', { type: 'button', id: 'label-too-low', onclick: () => send('too_low', tooLowLevel), text: label('verdict', 'too_low') }), tooLowLevel) : null),
    status);
}

function earlierContacts(earlier) {
  if (!earlier) return null;
  const summary = h('p', { id: 'earlier-summary', text: t('chat.firstSeen', { when: dateTime(earlier.firstSeenAt) }) + (earlier.reports ? ' · ' + t('chat.reportsCount', { count: earlier.reports }) : '') });
  if (!earlier.handoffs.length) return [summary, h('p', { class: 'hint', text: t('chat.noEarlier') })];
  return [summary, h('ol', { class: 'earlier' }, earlier.handoffs.map((ho) => h('li', null,
    h('strong', { text: dateTime(ho.createdAt) }), ' · ', levelWords(ho), ' · ',
    ho.outcome ? label('outcome', ho.outcome) : ho.closedAt ? t('chat.closedNoOutcome') : t('chat.stillOpen'),
    ho.holderName ? ' · ' + ho.holderName : '',
    ho.summary ? h('p', { class: 'summary', text: ho.summary }) : null)))];
}

/** The parts of the context that change with each message (rebuilt on refresh; forms are kept). */
function contextSections(ctx) {
  const ho = ctx.handoff;
  const facts = [
    [t('chat.channel'), label('channel', ctx.conversation.channel)],
    [t('chat.language'), label('language', ctx.conversation.locale)],
    [t('chat.where'), whereWords(ctx.conversation.where)],
    [t('chat.waited'), ho.claimedAt ? duration((new Date(ho.claimedAt) - new Date(ho.createdAt)) / 1000) : since(ho.createdAt)],
    [t('chat.since'), dateTime(ho.createdAt)],
    [t('chat.holder'), ho.holderName || t('chat.nobody')],
  ];
  return {
    level: h('section', { class: 'box level-box level-' + ho.level, id: 'risk-context' },
      h('h2', { id: 'chat-level', text: levelWords(ho) }),
      flagLines(ho.flags),
      sourceLine(ho.escalation),
      detailsLine(ho.details),
      categoriesLine(ho.categories),
      termMarks(ho.escalation && ho.escalation.terms)),
    facts: h('section', { class: 'box', id: 'facts' }, h('dl', { class: 'facts' }, facts.map(([k, v]) => h('div', null, h('dt', { text: k }), h('dd', { text: v }))))),
    draft: ctx.preview ? null : h('section', { class: 'box', id: 'draft' }, h('h3', { text: t('chat.draft') }),
      ctx.draft ? h('dl', { class: 'fields' }, fieldRows(ctx.draft).map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])) : h('p', { class: 'hint', text: t('chat.noDraft') })),
    earlier: ctx.preview ? null : h('section', { class: 'box', id: 'earlier' }, h('h3', { text: t('chat.earlier') }), h('p', { class: 'hint', text: t('chat.earlierHint') }), earlierContacts(ctx.earlier)),
    notes: ctx.preview ? null : (ctx.notes.length
      ? h('ul', { class: 'notes', id: 'notes-list' }, ctx.notes.map((n) => h('li', null, h('span', { class: 'hint', text: (n.author || '—') + ' · ' + dateTime(n.createdAt) }), h('p', { text: n.text }))))
      : h('p', { class: 'hint', id: 'notes-list', text: t('chat.noNotes') })),
  };
}

/** The context column; `update(ctx)` swaps the changing parts and leaves what staff are typing alone. */
function contextPanel(id, ctx, canAct) {
  let parts = contextSections(ctx);
  const threads = new Map();
  const threadsBox = h('div', { id: 'report-threads' });
  const addThreads = (reports) => {
    for (const r of reports || []) {
      if (threads.has(r.id)) continue;
      const el = reportThread(r.id, { title: t('thread.forReport', { reference: r.referenceCode, category: label('reportCategory', r.category), status: t('reports.' + r.status) }) });
      threads.set(r.id, el);
      threadsBox.appendChild(el);
    }
  };
  if (!ctx.preview) addThreads(ctx.reports);
  const aside = h('aside', { id: 'context', 'aria-label': t('chat.context') },
    parts.level, parts.facts,
    !ctx.preview && canAct ? escalationLabels(id, ctx) : null,
    parts.draft, parts.earlier,
    ctx.preview ? null : notesBox(id, parts.notes),
    threadsBox);
  aside.update = (next) => {
    const fresh = contextSections(next);
    for (const key of Object.keys(fresh)) {
      if (parts[key] && fresh[key]) parts[key].replaceWith(fresh[key]);
      else fresh[key] = parts[key];
    }
    parts = fresh;
    if (!next.preview) addThreads(next.reports);
  };
  return aside;
}

function notesBox(id, list) {
  const note = h('textarea', { id: 'note', rows: 2 });
  return h('section', { class: 'box', id: 'notes' }, h('h3', { text: t('chat.notes') }), list,
    h('form', { onsubmit: (e) => { e.preventDefault(); if (!note.value.trim()) return; api('POST', '/console/api/handoffs/' + id + '/notes', { text: note.value }).then(() => { note.value = ''; document.dispatchEvent(new CustomEvent('console:chat-refresh')); }, failure); } },
      h('label', { for: 'note', text: t('chat.addNoteLabel') }), note, h('button', { type: 'submit', text: t('chat.addNote') })));
}

// ---------------------------------------------------------------- reply and canned replies
function replyForm(id, userLang, onSent) {
  let lastTyping = 0;
  const replyBox = h('textarea', { id: 'reply', rows: 3, oninput: () => {
    // Tell the user's channel we are typing, at most every 4 seconds.
    if (Date.now() - lastTyping < 4000) return;
    lastTyping = Date.now();
    api('POST', '/console/api/handoffs/' + id + '/typing', {}).catch(() => {});
  } });
  const registers = registersFor(userLang);
  const register = h('select', { id: 'canned-register', onchange: () => { saveRegister(userLang, register.value); draw(); } },
    Object.keys(registers).map((r) => h('option', { value: r, selected: r === currentRegister(userLang), text: registers[r].name })));
  const search = h('input', { id: 'canned-search', type: 'search', placeholder: t('chat.cannedSearch'), oninput: () => draw() });
  const list = h('ul', { class: 'canned-list', id: 'canned-list' });
  function draw() {
    const q = fold(search.value.trim());
    const items = cannedFor(userLang).map((c) => ({ ...c, filled: fill(c.text, userLang, register.value) })).filter((c) => !q || fold(c.title + ' ' + c.filled).includes(q));
    list.replaceChildren(...(items.length ? items.map((c) => h('li', null,
      h('button', { type: 'button', class: 'canned', 'data-canned': c.id, onclick: () => { replyBox.value = replyBox.value.trim() ? replyBox.value.trimEnd() + ' ' + c.filled : c.filled; replyBox.focus(); } },
        h('strong', { text: c.title }), h('span', { class: 'preview-text', text: c.filled })))) : [h('li', { class: 'hint', text: t('chat.cannedNone') })]));
  }
  draw();
  return h('form', { class: 'reply', onsubmit: (e) => {
    e.preventDefault();
    if (!replyBox.value.trim()) return;
    api('POST', '/console/api/handoffs/' + id + '/reply', { text: replyBox.value }).then(() => { replyBox.value = ''; onSent(); }, failure);
  } },
    h('label', { for: 'reply', text: t('chat.reply') }), replyBox, h('button', { type: 'submit', id: 'send', text: t('chat.send') }),
    h('details', { class: 'canned-box', open: true }, h('summary', { text: t('chat.canned') + ' (' + label('language', userLang) + ')' }),
      h('div', { class: 'inline' }, h('label', { for: 'canned-search', class: 'sr-only', text: t('chat.cannedSearch') }), search,
        Object.keys(registers).length > 1 ? [h('label', { for: 'canned-register', text: t('chat.register') }), register] : null),
      list));
}

// ---------------------------------------------------------------- actions
// A report filed for the user (told over the chat); the codes are shown once to read out.
function reportForm(id, draft) {
  const provinceIds = Object.keys(PLACES[state.lang] || {}).sort((a, b) => PLACES[state.lang][a].localeCompare(PLACES[state.lang][b], state.lang));
  const category = h('select', { id: 'report-category', required: true }, options(REPORT_CATEGORIES, (c) => label('reportCategory', c)));
  const province = h('select', { id: 'report-province' }, options(['abroad', ...provinceIds], place, t('report.placeUnknown')));
  const country = h('select', { id: 'report-country' }, options(COUNTRIES, place, t('report.countryUnknown')));
  const countryBox = h('div', { hidden: true }, h('label', { for: 'report-country', text: t('reportFields.country') }), country);
  province.addEventListener('change', () => { countryBox.hidden = province.value !== 'abroad'; });
  const when = h('select', { id: 'report-when' }, options(WHEN, (w) => label('when', w), t('report.notSaid')));
  const suspects = h('textarea', { id: 'report-suspects', rows: 2 });
  const evidence = h('textarea', { id: 'report-evidence', rows: 2 });
  const inDanger = h('input', { type: 'checkbox', id: 'report-danger' });
  const fromDraft = () => {
    if (!draft) return;
    if (draft.category && REPORT_CATEGORIES.includes(draft.category)) category.value = draft.category;
    if (draft.province) province.value = draft.province;
    countryBox.hidden = province.value !== 'abroad';
    if (draft.country) country.value = draft.country;
    if (draft.when && WHEN.includes(draft.when)) when.value = draft.when;
    if (draft.suspects) suspects.value = draft.suspects;
    const said = [draft.details, draft.evidence].filter(Boolean).join('\n');
    if (said) evidence.value = said;
    inDanger.checked = draft.inDanger === true;
  };
  return h('details', { id: 'report-box' }, h('summary', { text: t('chat.fileReport') }),
    draft ? h('button', { type: 'button', id: 'report-from-draft', onclick: fromDraft, text: t('report.fromDraft') }) : null,
    h('form', { id: 'report-form', class: 'stack', onsubmit: (e) => {
      e.preventDefault();
      const body = { category: category.value, inDanger: inDanger.checked };
      if (province.value) body.province = province.value;
      if (province.value === 'abroad' && country.value) body.country = country.value;
      if (when.value) body.when = when.value;
      if (suspects.value.trim()) body.suspects = suspects.value.trim();
      if (evidence.value.trim()) body.evidence = evidence.value.trim();
      api('POST', '/console/api/handoffs/' + id + '/report', body).then((r) => {
        flash(t('chat.reportCreated', { reference: r.referenceCode, code: r.followUpCode }), 'ok');
        const ref = document.getElementById('report-reference');
        if (ref) ref.value = r.referenceCode;
        document.getElementById('flash').scrollIntoView({ block: 'center' });
      }, failure);
    } },
      h('label', { for: 'report-category', text: t('reportFields.category') }), category,
      h('label', { for: 'report-province', text: t('reportFields.province') }), province, countryBox,
      h('label', { for: 'report-when', text: t('reportFields.when') }), when,
      h('label', { for: 'report-suspects', text: t('reportFields.suspects') }), suspects,
      h('label', { for: 'report-evidence', text: t('report.whatHappened') }), evidence,
      h('label', { class: 'check' }, inDanger, ' ' + t('reportFields.inDanger')),
      h('button', { type: 'submit', text: t('chat.fileReport') })));
}

const CONTACT_TYPES = ['information', 'report', 'advice'];
const REFERRALS = ['police', 'border_guard', 'social_services', 'shelter', 'legal_aid', 'health', 'other'];

/** Closing: the outcome and the wrap-up as the hotline counts contacts, and whether to offer the survey. */
function closeForm(id, flags) {
  const outcome = h('select', { id: 'outcome' }, keysOf('labels.outcome').filter((k) => k !== 'handed_back').map((k) => h('option', { value: k, text: label('outcome', k) })));
  const summary = h('textarea', { id: 'summary', rows: 2 });
  const reference = h('input', { id: 'report-reference', placeholder: 'HT-XXXX-XXXX' });
  const contactType = CONTACT_TYPES.map((c) => h('input', { type: 'radio', name: 'contact-type', value: c, id: 'contact-type-' + c, required: true }));
  const referrals = REFERRALS.map((r) => h('input', { type: 'checkbox', value: r, id: 'referral-' + r }));
  const followUp = h('input', { type: 'checkbox', id: 'follow-up' });
  // A survey on a phone someone else checks could give the person away: off, and the server skips it too.
  const watched = (flags || []).includes('phone_watched');
  const survey = h('input', { type: 'checkbox', id: 'survey', checked: !watched });
  return h('form', { id: 'close-form', class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    const chosen = contactType.find((r) => r.checked);
    if (!chosen) return flash(t('wrapUp.chooseType'));
    const body = {
      outcome: outcome.value,
      wrapUp: { contactType: chosen.value, referrals: referrals.filter((r) => r.checked).map((r) => r.value), followUpNeeded: followUp.checked },
      survey: survey.checked,
    };
    if (summary.value.trim()) body.summary = summary.value;
    if (reference.value.trim()) body.reportReference = reference.value;
    api('POST', '/console/api/handoffs/' + id + '/close', body).then(() => go('queue'), failure);
  } },
    h('h3', { text: t('chat.closeHeading') }),
    h('fieldset', { class: 'choices', id: 'contact-type' }, h('legend', { text: t('wrapUp.contactType') }),
      contactType.map((r) => h('label', { class: 'check', for: r.id }, r, ' ' + label('contactType', r.value)))),
    h('fieldset', { class: 'choices', id: 'referrals' }, h('legend', { text: t('wrapUp.referrals') }),
      referrals.map((r) => h('label', { class: 'check', for: r.id }, r, ' ' + label('referral', r.value)))),
    h('label', { class: 'check', for: 'follow-up' }, followUp, ' ' + t('wrapUp.followUp')),
    h('label', { for: 'outcome', text: t('chat.outcome') }), outcome,
    h('label', { for: 'summary', text: t('chat.summary') }), summary,
    h('label', { for: 'report-reference', text: t('chat.reportReference') }), reference,
    h('label', { class: 'check', for: 'survey' }, survey, ' ' + t('wrapUp.survey')),
    watched ? h('p', { class: 'hint', text: t('wrapUp.surveyWatched') }) : null,
    h('button', { type: 'submit', text: t('chat.close') }));
}

function actions(id, draft, flags) {
  const staffSelect = h('select', { id: 'transfer-to' }, h('option', { value: '', text: t('chat.backToQueue') }));
  api('GET', '/console/api/staff').then((list) => {
    list.filter((s) => !s.disabled && s.id !== state.me.id).forEach((s) => staffSelect.appendChild(h('option', { value: s.id, text: s.displayName + ' (' + label('role', s.role) + ')' })));
  }, () => {});
  const act = (path, body) => api('POST', '/console/api/handoffs/' + id + path, body);
  return h('section', { class: 'actions' },
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); act('/transfer', { toCounsellorId: staffSelect.value || null }).then(() => go('queue'), failure); } },
      h('label', { for: 'transfer-to', text: t('chat.transferTo') }), staffSelect, h('button', { type: 'submit', text: t('chat.transfer') })),
    h('button', { type: 'button', id: 'hand-back', onclick: () => { act('/handback', {}).then(() => go('queue'), failure); }, text: t('chat.handBack') }),
    reportForm(id, draft),
    closeForm(id, flags));
}

/** A closed chat: how it was wrapped up, and the person's survey answer. */
function wrapUpSummary(handoff) {
  if (handoff.state !== 'closed') return null;
  const w = handoff.wrapUp;
  const rows = [[t('chat.outcome'), handoff.outcome ? label('outcome', handoff.outcome) : '—']];
  if (w) {
    rows.push([t('wrapUp.contactType'), label('contactType', w.contactType)],
      [t('wrapUp.referrals'), w.referrals.length ? w.referrals.map((r) => label('referral', r)).join(', ') : t('wrapUp.noReferral')],
      [t('wrapUp.followUp'), w.followUpNeeded ? t('common.yes') : t('common.no')]);
  }
  rows.push([t('wrapUp.surveyAnswer'), handoff.survey ? label('survey', handoff.survey) : handoff.surveyAsked ? t('wrapUp.noAnswer') : t('wrapUp.notAsked')]);
  return h('section', { class: 'box', id: 'wrap-up' }, h('h3', { text: t('wrapUp.heading') }), h('dl', { class: 'fields' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])));
}

// ---------------------------------------------------------------- the view
export function chatView(id) {
  const main = h('main', { class: 'chat' }, h('p', { text: t('common.loading') }));
  let shown = null;
  let conversationId = null;
  const load = () => Promise.all([api('GET', '/console/api/handoffs/' + id), api('GET', '/console/api/handoffs/' + id + '/context')]).then(([data, ctx]) => {
    if (state.view !== 'chat' || state.handoffId !== id) return;
    conversationId = data.conversation && data.conversation.id;
    const holder = data.handoff.state === 'claimed' && data.handoff.counsellorId === state.me.id;
    const canAct = holder || (state.me.role !== 'counsellor' && data.handoff.state !== 'closed' && data.handoff.state !== 'waiting');
    const transcript = transcriptList(data, ctx, state.me.role !== 'counsellor' && !ctx.preview);
    const key = data.handoff.state + ':' + (data.handoff.counsellorId || '') + ':' + ctx.preview;
    if (shown && shown.key === key) {
      // A refresh keeps what staff are typing: only the transcript and the context's facts change.
      shown.transcript.replaceWith(transcript);
      shown.context.update(ctx);
      shown.transcript = transcript;
    } else {
      const context = contextPanel(id, ctx, canAct);
      const userLang = ctx.conversation.locale === 'en' ? 'en' : 'vi';
      setChildren(main,
        h('button', { type: 'button', onclick: () => go('queue'), text: '← ' + t('chat.back') }),
        h('h1', { text: t('chat.heading', { channel: label('channel', ctx.conversation.channel), language: label('language', ctx.conversation.locale) }) }),
        h('p', { id: 'flash', role: 'alert' }),
        ctx.preview ? h('p', { id: 'preview-hint', class: 'hint', text: t('chat.preview') }) : null,
        data.handoff.state === 'waiting' ? h('button', { type: 'button', class: 'claim', onclick: () => { api('POST', '/console/api/handoffs/' + id + '/claim', {}).then(() => { shown = null; load(); }, failure); }, text: t('queue.claim') }) : null,
        data.handoff.state === 'closed' ? h('p', { class: 'hint', text: t('chat.closed') }) : null,
        h('div', { class: 'chat-layout' },
          h('section', { class: 'chat-main' }, transcript,
            holder ? replyForm(id, userLang, load) : null,
            canAct ? actions(id, ctx.draft, ctx.handoff.flags) : null,
            wrapUpSummary({ ...data.handoff, outcome: ctx.handoff.outcome })),
          context));
      shown = { transcript, context, key };
    }
    // The newest message in view, inside the transcript only (the page does not jump while staff type).
    transcript.scrollTop = transcript.scrollHeight;
  }, failure);
  load();
  const stop = onLive((e) => {
    if (e.type === 'bus.resync' || ((e.type === 'conversation.message' || e.type === 'delivery.failed') && (!conversationId || e.conversationId === conversationId)) || (e.type.startsWith('handoff') && e.handoffId === id)) load();
  });
  const refresh = () => load();
  document.addEventListener('console:chat-refresh', refresh);
  return { el: main, cleanup: () => { stop(); document.removeEventListener('console:chat-refresh', refresh); } };
}
