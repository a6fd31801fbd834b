/** Typed input resolves to flow events the same way on every channel. */
import { describe, expect, it } from 'vitest';
import { matchChoice, parseCommand, toFlowEvent } from '../../../core/runtime/intents.js';
import { fold } from '../../../text/fold.js';
import type { InboundMessage } from '../../../core/messages/types.js';
import { renderReply } from '../../../core/runtime/render.js';
import type { ChoiceSpec, FlowEvent } from '../../../flows/types.js';
import { MENU_CHOICES } from '../../../flows/main/machine.js';
import { SKIP, YES_NO_UNSURE, withNav } from '../../../flows/kit.js';
import { CATEGORIES, COUNTRIES, WHEN, list } from '../../../flows/report/options.js';
import { NEEDS } from '../../../flows/help/options.js';

const offered = [
  { id: 'report', label: 'Báo tin (ẩn danh)' },
  { id: 'rights', label: 'Quyền của bạn' },
  { id: 'help', label: 'Tìm nơi hỗ trợ' },
];
const text = (t: string): InboundMessage => ({ channel: 'test', externalUserId: 'u', externalMessageId: 'm', kind: 'text', payload: { text: t } });

describe('fold', () => {
  it('strips diacritics, đ, case, punctuation and extra spaces', () => {
    expect(fold('  Quyền LỢI   nạn nhân!! ')).toBe('quyen loi nan nhan');
    expect(fold('Đà Nẵng')).toBe('da nang');
    // Decomposed input (NFD, as some keyboards send) folds the same as composed.
    expect(fold('Thanh Hoá'.normalize('NFD'))).toBe(fold('Thanh Hóa'));
  });
});

describe('intents', () => {
  it('a typed number picks the offered choice; out of range does not', () => {
    expect(matchChoice('2', offered)?.id).toBe('rights');
    expect(matchChoice(' 3 ', offered)?.id).toBe('help');
    expect(matchChoice('9', offered)).toBeUndefined();
    expect(matchChoice('0', offered)).toBeUndefined();
  });

  it('the words of a choice match with or without diacritics', () => {
    expect(matchChoice('quyen cua ban', offered)?.id).toBe('rights');
    expect(matchChoice('TÌM NƠI HỖ TRỢ', offered)?.id).toBe('help');
    // A part of one label picks it; a word that is in no label, or only common words, do not.
    expect(matchChoice('quyền', offered)?.id).toBe('rights');
    expect(matchChoice('xe buýt', offered)).toBeUndefined();
    expect(matchChoice('của bạn', offered)).toBeUndefined();
  });

  it('commands, with bot suffixes and arguments', () => {
    expect(parseCommand('/start@Hotline111Bot')).toEqual({ type: 'START' });
    expect(parseCommand('/lang', 'EN')).toEqual({ type: 'LANG', locale: 'en' });
    expect(parseCommand('/lang')).toEqual({ type: 'LANG' });
    expect(parseCommand('/unknown')).toBeNull();
    expect(toFlowEvent(text('/counsellor'), null, 'vi')).toEqual({ type: 'COUNSELLOR' });
  });

  it('global keywords in either language, typed without diacritics', () => {
    expect(toFlowEvent(text('tu van vien'), null, 'vi')).toEqual({ type: 'COUNSELLOR' });
    expect(toFlowEvent(text('Quay lại'), null, 'vi')).toEqual({ type: 'BACK' });
    expect(toFlowEvent(text('English'), null, 'vi')).toEqual({ type: 'LANG', locale: 'en' });
    expect(toFlowEvent(text('tieng viet'), null, 'en')).toEqual({ type: 'LANG', locale: 'vi' });
    expect(toFlowEvent(text('menu'), offered, 'vi')).toEqual({ type: 'MENU' });
  });

  it('anything else is free text for the flow', () => {
    expect(toFlowEvent(text('tôi muốn hỏi về việc làm'), offered, 'vi')).toEqual({ type: 'TEXT', text: 'tôi muốn hỏi về việc làm' });
  });
});

// ---------------------------------------------------------------- the matcher, table-driven
// Offered choices are rendered from the flows' own choice specs, so labels are the real ones.
const shown = (locale: 'vi' | 'en', choices: ChoiceSpec[]) => renderReply(locale, { type: 'reply', key: 'flows:retry', choices }).choices!;
const screens = {
  menu: shown('vi', MENU_CHOICES),
  menuEn: shown('en', MENU_CHOICES),
  yesNo: shown('vi', withNav(YES_NO_UNSURE)),
  yesNoEn: shown('en', withNav(YES_NO_UNSURE)),
  category: shown('vi', withNav(list('cat', 'report:category', CATEGORIES))),
  categoryEn: shown('en', withNav(list('cat', 'report:category', CATEGORIES))),
  consent: shown('vi', withNav([{ id: 'consent.no', key: 'report:consentNo' }, { id: 'consent.yes', key: 'report:consentYes' }])),
  when: shown('vi', withNav(list('when', 'report:when', WHEN))),
  country: shown('vi', withNav(list('country', 'report:country', COUNTRIES))),
  place: shown('vi', withNav([{ id: 'place.abroad', key: 'report:place.abroad' }, { id: 'place.unknown', key: 'report:place.unknown' }, { id: 'place.list', key: 'flows:showProvinceList' }])),
  skip: shown('vi', withNav([SKIP])),
  need: shown('vi', withNav(list('need', 'help:need', NEEDS))),
  summary: shown('vi', [{ id: 'summary.submit', key: 'report:submit' }, { id: 'summary.edit', key: 'report:edit' }, { id: 'summary.cancel', key: 'report:cancel' }, { id: 'counsellor', key: 'menu.counsellor' }]),
};

type Row = [screen: keyof typeof screens, typed: string, expected: FlowEvent];
const choice = (id: string): FlowEvent => ({ type: 'CHOICE', id });
const TABLE: Row[] = [
  // the menu: sentences, keywords inside them, with and without diacritics
  ['menu', 'tôi muốn nói chuyện với tư vấn viên', choice('counsellor')],
  ['menu', 'toi muon noi chuyen voi tu van vien', choice('counsellor')],
  ['menu', 'cho e gặp tư vấn viên với ạ', choice('counsellor')],
  ['menu', 'báo tin', choice('report')],
  ['menu', 'bao tin', choice('report')],
  ['menu', 'tố cáo', choice('report')],
  ['menu', 'to cao', choice('report')],
  ['menu', 'mình muốn tố giác một vụ', choice('report')],
  ['menu', 'em muon bao tin ve nguoi quen', choice('report')],
  ['menu', 'quyền lợi', choice('rights')],
  ['menu', 'quyen loi cua nan nhan', choice('rights')],
  ['menu', 'tìm chỗ giúp', choice('help')],
  ['menu', 'tim cho giup', choice('help')],
  ['menu', 'tìm nơi hỗ trợ', choice('help')],
  ['menu', 'việc nhẹ lương cao', choice('signs')],
  ['menu', 'kiem tra loi moi viec lam', choice('signs')],
  ['menu', '1', choice('report')],
  ['menu', 'số 5', choice('counsellor')],
  ['menu', 'thôi', { type: 'MENU' }],
  ['menuEn', 'I want to talk to a counsellor', choice('counsellor')],
  ['menuEn', 'report', choice('report')],
  ['menuEn', 'my rights', choice('rights')],
  ['menuEn', 'find help', choice('help')],
  // yes / no / not sure, teen-speak and politeness
  ['yesNo', 'có', choice('yes')],
  ['yesNo', 'co', choice('yes')],
  ['yesNo', 'uk', choice('yes')],
  ['yesNo', 'ừ', choice('yes')],
  ['yesNo', 'ok', choice('yes')],
  ['yesNo', 'dạ', choice('yes')],
  ['yesNo', 'vâng', choice('yes')],
  ['yesNo', 'dạ có ạ', choice('yes')],
  ['yesNo', 'yes', choice('yes')],
  ['yesNo', 'Có!!!', choice('yes')],
  ['yesNo', 'ko', choice('no')],
  ['yesNo', 'k', choice('no')],
  ['yesNo', 'hok', choice('no')],
  ['yesNo', 'khum', choice('no')],
  ['yesNo', 'khummm', choice('no')],
  ['yesNo', 'hong', choice('no')],
  ['yesNo', 'không', choice('no')],
  ['yesNo', 'khong', choice('no')],
  ['yesNo', 'dạ không', choice('no')],
  ['yesNo', 'ko ạ', choice('no')],
  ['yesNo', 'không có', choice('no')],
  ['yesNo', 'không biết', choice('unsure')],
  ['yesNo', 'ko bik', choice('unsure')],
  ['yesNo', 'k bt', choice('unsure')],
  ['yesNo', 'chưa chắc', choice('unsure')],
  ['yesNo', 'quay lại', choice('nav.back')],
  ['yesNo', '3', choice('unsure')],
  ['yesNoEn', 'yeah', choice('yes')],
  ['yesNoEn', 'nope', choice('no')],
  ['yesNoEn', 'idk', choice('unsure')],
  ['yesNoEn', 'not sure', choice('unsure')],
  // the category question: parts of labels and keywords
  ['category', 'lừa đảo', choice('cat.scam_compound')],
  ['category', 'lua dao', choice('cat.scam_compound')],
  ['category', 'e bi giu o cpc lam lua dao', choice('cat.scam_compound')],
  ['category', 'ép cưới', choice('cat.forced_marriage')],
  ['category', 'bi ep lay chong', choice('cat.forced_marriage')],
  ['category', 'lao động cưỡng bức', choice('cat.forced_labour')],
  ['category', 'mat lien lac', choice('cat.missing_person')],
  ['category', 'mất tích', choice('cat.missing_person')],
  ['category', 'bán thận', choice('cat.organ_fetus')],
  ['category', 'tre em', choice('cat.child_at_risk')],
  ['category', 'bóc lột tình dục', choice('cat.sexual_exploitation')],
  ['category', 'việc khác', choice('cat.other')],
  ['categoryEn', 'scam', choice('cat.scam_compound')],
  ['categoryEn', 'forced marriage', choice('cat.forced_marriage')],
  // other questions
  ['consent', 'không', choice('consent.no')],
  ['consent', 'ẩn danh', choice('consent.no')],
  ['consent', 'có', choice('consent.yes')],
  ['when', 'hôm nay', choice('when.today')],
  ['when', 'van dang dien ra', choice('when.ongoing')],
  ['when', 'ko bik', choice('when.unknown')],
  ['country', 'cpc', choice('country.KH')],
  ['place', 'e đang ở cpc', choice('place.abroad')],
  ['place', 'không biết', choice('place.unknown')],
  ['place', 'nuoc ngoai', choice('place.abroad')],
  ['country', 'campuchia', choice('country.KH')],
  ['country', 'bên tq', choice('country.CN')],
  ['skip', 'bỏ qua', choice('skip')],
  ['skip', 'bo qua', choice('skip')],
  ['skip', 'ko biết', choice('skip')],
  ['need', 'chỗ ở', choice('need.shelter')],
  ['need', 'luật sư', choice('need.legal_aid')],
  ['need', 'tam ly', choice('need.psychological')],
  ['summary', 'gửi đi', choice('summary.submit')],
  ['summary', 'đúng rồi', choice('summary.submit')],
  ['summary', 'hủy', choice('summary.cancel')],
  ['summary', 'sửa', choice('summary.edit')],
  // global intents from inside any question
  ['skip', 'thôi', { type: 'MENU' }],
  ['skip', 'huỷ', { type: 'MENU' }],
  ['skip', 'menu', { type: 'MENU' }],
  ['yesNo', 'tôi muốn nói chuyện với tư vấn viên', { type: 'COUNSELLOR' }],
  ['skip', 'cho mình báo tin', { type: 'OPEN', flow: 'report' }],
  ['yesNo', 'tìm chỗ giúp', { type: 'OPEN', flow: 'help' }],
  ['skip', 'quyền lợi', { type: 'OPEN', flow: 'rights' }],
  // free text stays free text
  ['skip', 'Anh Long, tài khoản Telegram @longvieclam', { type: 'TEXT', text: 'Anh Long, tài khoản Telegram @longvieclam' }],
  ['yesNo', 'hôm qua họ nhắn cho em', { type: 'TEXT', text: 'hôm qua họ nhắn cho em' }],
  ['menu', 'xin chào', { type: 'TEXT', text: 'xin chào' }],
];

describe('the matcher understands typed answers', () => {
  it('has at least 60 typed forms', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(60);
  });
  it.each(TABLE)('%s: "%s"', (screen, typed, expected) => {
    expect(toFlowEvent(text(typed), screens[screen], 'vi')).toEqual(expected);
  });
});
