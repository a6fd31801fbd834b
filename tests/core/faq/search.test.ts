/** FAQ search: accent-free, case-free, typo-tolerant queries in vi and en find the right answer. */
import { describe, expect, it } from 'vitest';
import { osaDistance, searchFaq } from '../../../core/faq/search.js';

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
];

describe('FAQ search', () => {
  it.each(CASES)('%s (%s) → %s', (query, locale, expected) => {
    const result = searchFaq(query, locale);
    expect(result.hits.map((h) => h.id)).toContain(expected);
    expect(result.hits[0]!.id).toBe(expected);
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
