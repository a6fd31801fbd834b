/** FAQ search: accent-free, case-free, typo-tolerant queries in vi and en find the right answer. */
import { describe, expect, it } from 'vitest';
import { faqItems, osaDistance, searchFaq } from '../../../core/faq/search.js';

const CASES: [string, 'vi' | 'en', string][] = [
  ['quyen loi nan nhan', 'vi', 'rights_overview'],
  ['QUYỀN LỢI NẠN NHÂN', 'vi', 'rights_overview'],
  ['ai la nan nhan', 'vi', 'who_is_victim'],
  ['mua ban nguoi la gi', 'vi', 'what_is_trafficking'],
  ['tro giup phap ly mien phi', 'vi', 'legal_aid'],
  ['tro giup phap lyy', 'vi', 'legal_aid'],
  ['bao hiem y te', 'vi', 'medical'],
  ['ho tro tam ly', 'vi', 'psychological'],
  ['tien ve que', 'vi', 'travel_home'],
  ['bao tin o dau', 'vi', 'how_to_report'],
  ['bao tin an danh', 'vi', 'anonymous'],
  ['xet xu kin', 'vi', 'closed_trial'],
  ['tong dai 111 lam gi', 'vi', 'hotline'],
  ['ban thai nhi', 'vi', 'fetus'],
  ['phien dich', 'vi', 'interpretation'],
  ['hoc nghe', 'vi', 'education_training'],
  ['vay von', 'vi', 'loans'],
  ['ky thi', 'vi', 'discrimination'],
  ['mac ket o campuchia', 'vi', 'abroad'],
  ['nguoi nuoc ngoai', 'vi', 'foreigners'],
  ['free legal aid', 'en', 'legal_aid'],
  ['closed trial', 'en', 'closed_trial'],
  ['interpeter', 'en', 'interpretation'],
  ['anonymus report', 'en', 'anonymous'],
  ['stuck in cambodia', 'en', 'abroad'],
  ['when is the law in force', 'en', 'the_law'],
  // what users ask and the FAQ used to lack
  ['bồi thường', 'vi', 'compensation'],
  ['boi thuong', 'vi', 'compensation'],
  ['tôi có được đền bù không', 'vi', 'compensation'],
  ['compensation', 'en', 'compensation'],
  ['trẻ em bị mua bán được hỗ trợ gì', 'vi', 'children'],
  ['a child victim support', 'en', 'children'],
  ['em có bị bắt vì đã lừa đảo online không', 'vi', 'punished_forced'],
  ['will i be arrested', 'en', 'punished_forced'],
  ['lấy lại hộ chiếu', 'vi', 'passport_papers'],
  ['get my passport back', 'en', 'passport_papers'],
  ['từ chối hỗ trợ', 'vi', 'refuse_or_choose'],
  ['choose where to stay', 'en', 'refuse_or_choose'],
  ['sau khi báo tin thì sao', 'vi', 'after_report'],
  ['what happens after I report', 'en', 'after_report'],
  ['đang ở nước ngoài gọi ai', 'vi', 'abroad_now'],
];

describe('FAQ search', () => {
  it.each(CASES)('%s (%s) → %s', (query, locale, expected) => {
    const result = searchFaq(query, locale);
    expect(result.hits.map((h) => h.id)).toContain(expected);
    expect(result.hits[0]!.id).toBe(expected);
  });

  it('"bồi thường" is answered with compensation at once, not medical care; a child victim is told about every support', () => {
    const result = searchFaq('bồi thường', 'vi');
    expect(result.hits[0]!.id).toBe('compensation');
    expect(result.confident).toBe(true); // the flow opens this answer directly
    const children = faqItems('vi').children!.a;
    for (const regime of ['học nghề', 'trợ cấp', 'vay vốn', 'trợ giúp pháp lý']) expect(children).toContain(regime);
    expect(faqItems('en').travel_home!.a).toMatch(/abroad: while abroad, essential needs, medical care, interpretation, and legal information/);
  });

  it('finds nothing for gibberish and offers no false confidence', () => {
    const result = searchFaq('zzzz qqqq', 'vi');
    expect(result.hits).toEqual([]);
    expect(result.confident).toBe(false);
  });

  it('suggests a corrected query ("did you mean")', () => {
    expect(searchFaq('nan nhann quyenn', 'vi').suggestion).toBe('nan nhan quyen');
  });

  it('counts a transposition as one edit', () => {
    expect(osaDistance('nhan', 'nahn')).toBe(1);
    expect(osaDistance('legal', 'lgeal')).toBe(1);
  });
});
