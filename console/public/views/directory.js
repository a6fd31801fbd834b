// The service directory (supervisors): each entry's names, descriptions, services, groups and
// provinces (as labelled choices), contact details with where and when they were checked.
import { state } from '../lib/state.js';
import { api, flash, failure } from '../lib/api.js';
import { t, label, PLACES } from '../lib/i18n.js';
import { h } from '../lib/dom.js';

const SERVICES = ['shelter', 'legal_aid', 'health', 'psychological', 'vocational', 'reintegration', 'hotline', 'awareness', 'reporting'];
const GROUPS = ['children', 'women', 'migrant_workers', 'ethnic_minorities', 'lgbti', 'disabilities', 'trafficking_victims', 'youth', 'everyone'];

/** A set of labelled checkboxes; `.values()` gives the ticked ids. */
function choices(legend, ids, chosen, labelOf, name) {
  const boxes = ids.map((id) => h('input', { type: 'checkbox', value: id, checked: chosen.includes(id), 'aria-label': labelOf(id) + ' · ' + name }));
  const el = h('fieldset', { class: 'choices' }, h('legend', { text: legend }), boxes.map((b) => h('label', { class: 'check' }, b, ' ' + b.getAttribute('aria-label').split(' · ')[0])));
  el.values = () => boxes.filter((b) => b.checked).map((b) => b.value);
  return el;
}

function entryForm(e) {
  const field = (tag, key, text, extra) => {
    const el = h(tag, Object.assign({ 'aria-label': text + ' · ' + e.nameVi }, extra || {}));
    el.value = e[key] == null ? '' : e[key];
    return h('label', { class: 'field' }, h('span', { text }), el);
  };
  const input = (wrapper) => wrapper.querySelector('input, textarea');
  const nameVi = field('input', 'nameVi', t('directory.nameVi')), nameEn = field('input', 'nameEn', t('directory.nameEn'));
  const descriptionVi = field('textarea', 'descriptionVi', t('directory.descriptionVi'), { rows: 2 }), descriptionEn = field('textarea', 'descriptionEn', t('directory.descriptionEn'), { rows: 2 });
  const services = choices(t('directory.services'), SERVICES, e.services || [], (id) => label('service', id), e.nameVi);
  const groups = choices(t('directory.groups'), GROUPS, e.groups || [], (id) => label('group', id), e.nameVi);
  const provinceIds = Object.keys(PLACES[state.lang] || {}).sort((a, b) => PLACES[state.lang][a].localeCompare(PLACES[state.lang][b], state.lang));
  const provinces = choices(t('directory.provinces'), provinceIds, e.provinces || [], (id) => PLACES[state.lang][id], e.nameVi);
  const phone = field('input', 'phone', t('directory.phone')), website = field('input', 'website', t('directory.website'));
  const address = field('input', 'address', t('directory.address')), hours = field('input', 'hours', t('directory.hours'));
  const contactSource = field('input', 'contactSource', t('directory.contactSource'));
  const contactVerifiedAt = h('input', { type: 'date', 'aria-label': t('directory.contactVerifiedAt') + ' · ' + e.nameVi });
  contactVerifiedAt.value = e.contactVerifiedAt ? String(e.contactVerifiedAt).slice(0, 10) : '';
  const referral = h('input', { type: 'checkbox', checked: e.referral !== false, 'aria-label': t('directory.referral') + ' · ' + e.nameVi });
  const national = h('input', { type: 'checkbox', checked: e.national, 'aria-label': t('directory.national') + ' · ' + e.nameVi });
  const active = h('input', { type: 'checkbox', checked: e.active, 'aria-label': t('directory.active') + ' · ' + e.nameVi });
  const value = (wrapper) => input(wrapper).value.trim() || null;
  return h('form', { class: 'entry', onsubmit: (ev) => {
    ev.preventDefault();
    const body = {
      nameVi: input(nameVi).value, nameEn: input(nameEn).value, descriptionVi: input(descriptionVi).value, descriptionEn: input(descriptionEn).value,
      services: services.values(), groups: groups.values(), provinces: provinces.values(), national: national.checked,
      phone: value(phone), website: value(website), active: active.checked,
      address: value(address), hours: value(hours), contactSource: value(contactSource), contactVerifiedAt: contactVerifiedAt.value || null, referral: referral.checked,
    };
    api('PUT', '/console/api/directory/' + e.id, body).then(() => flash(t('directory.saved'), 'ok'), failure);
  } }, nameVi, nameEn, descriptionVi, descriptionEn, services, groups,
    h('details', { class: 'provinces' }, h('summary', { text: t('directory.provinces') + ' (' + (e.provinces || []).length + ')' }), provinces),
    phone, website, address, hours, contactSource,
    h('label', { class: 'field' }, h('span', { text: t('directory.contactVerifiedAt') }), contactVerifiedAt),
    h('label', { class: 'check' }, national, ' ' + t('directory.national')), h('label', { class: 'check' }, active, ' ' + t('directory.active')), h('label', { class: 'check' }, referral, ' ' + t('directory.referral')),
    h('button', { type: 'submit', text: t('directory.save') }));
}

export function directoryView() {
  const main = h('main', null, h('h1', { text: t('directory.heading') }), h('p', { id: 'flash', role: 'alert' }));
  api('GET', '/console/api/directory').then((list) => {
    main.appendChild(h('ul', { class: 'directory' }, list.map((e) => {
      const details = h('details', null, h('summary', { text: (state.lang === 'en' ? e.nameEn : e.nameVi) + (e.active ? '' : ' · ' + t('directory.inactive')) }));
      // The form is built when the entry is opened (the directory has hundreds of entries).
      details.addEventListener('toggle', () => { if (details.open && details.children.length === 1) details.appendChild(entryForm(e)); });
      return h('li', null, details);
    })));
  }, failure);
  return main;
}
