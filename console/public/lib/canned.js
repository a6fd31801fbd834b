// Canned replies in the person's language, with variables ({{you}}, {{me}}, {{counsellor}}) and a
// register for Vietnamese: "bạn/mình", "em" (the counsellor as chị or anh), or "anh/chị" (as em).
import { state } from './state.js';
import { block, t } from './i18n.js';

/** How the counsellor addresses the person ({{you}}) and themself ({{me}}): grammar, so here rather than in the word files. */
const REGISTERS = {
  vi: { ban: { you: 'bạn', me: 'mình' }, em_chi: { you: 'em', me: 'chị' }, em_anh: { you: 'em', me: 'anh' }, anhchi: { you: 'anh/chị', me: 'em' } },
  en: { ban: { you: 'you', me: 'I' } },
};

const upper = (s) => (s ? s.charAt(0).toLocaleUpperCase() + s.slice(1) : s);

/** The registers of the person's language, each with its name in the staff's language. */
export function registersFor(lang) {
  const out = {};
  for (const [id, r] of Object.entries(REGISTERS[lang] || REGISTERS.vi)) out[id] = { ...r, name: t('cannedRegisters.' + id) };
  return out;
}

/** The register chosen last time for this language (kept in the browser). */
export function currentRegister(lang) {
  const registers = registersFor(lang);
  const saved = localStorage.getItem('console.register.' + lang);
  return saved && registers[saved] ? saved : Object.keys(registers)[0];
}
export function saveRegister(lang, id) { localStorage.setItem('console.register.' + lang, id); }

/** A template with its variables filled: pronouns from the register, the counsellor's name or alias. */
export function fill(text, lang, registerId) {
  const register = registersFor(lang)[registerId] || {};
  const vars = {
    you: register.you, You: upper(register.you), me: register.me, Me: upper(register.me),
    // As users see the counsellor: the alias an admin set, never the account's name.
    counsellor: state.me && state.me.alias ? block(lang, 'cannedCounsellor').named.replace('{{alias}}', state.me.alias) : block(lang, 'cannedCounsellor').unnamed,
  };
  return text.replace(/\{\{(\w+)\}\}/g, (_, name) => (vars[name] != null ? vars[name] : ''));
}

/** Every canned reply of a language: { id, title, text }. */
export function cannedFor(lang) {
  const items = block(lang, 'canned');
  return Object.keys(items).map((id) => ({ id, title: items[id].title, text: items[id].text }));
}

/** Diacritics and case folded, for searching Vietnamese typed without accents. */
export function fold(s) {
  return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}
