/**
 * The queue's pure rules, without a database (so a mutation run does not load one for them):
 * priority, the alias users see, the outcomes a counsellor may close with, and the preview of a
 * waiting chat.
 */
import { describe, expect, it } from 'vitest';
import { ALIAS_PATTERN, aliasShown } from '../../../core/queue/alias.js';
import { priorityFor } from '../../../core/queue/handoffs.js';
import { CLOSE_OUTCOMES, HANDED_BACK, isCloseOutcome } from '../../../core/queue/outcomes.js';
import { PREVIEW, previewOf, type TranscriptEntry } from '../../../core/queue/transcript.js';
import { CONTACT_TYPES, REFERRALS, wrapUpSchema } from '../../../core/queue/wrap-up.js';

const T0 = Date.parse('2026-11-23T08:00:00Z');

describe('priority', () => {
  it('an emergency or a person in danger now comes first; a request without risk is still served', () => {
    expect(priorityFor('none', 'user_request')).toBe(1);
    expect(priorityFor('elevated', 'risk')).toBe(1);
    expect(priorityFor('high', 'risk')).toBe(2);
    expect(priorityFor('emergency', 'risk')).toBe(3);
    expect(priorityFor('none', 'in_danger')).toBe(3);
    expect(priorityFor('high', 'transfer')).toBe(2);
  });
});

describe('alias', () => {
  it('users see a first name, or the neutral name; never an empty one', () => {
    expect(aliasShown('en', 'Lan')).toBe('Counsellor Lan');
    expect(aliasShown('en', '  Lan  ')).toBe('Counsellor Lan');
    expect(aliasShown('en', '   ')).toBe('Counsellor 111');
    expect(aliasShown('en', null)).toBe('Counsellor 111');
    expect(aliasShown('en', undefined)).toBe('Counsellor 111');
    expect(aliasShown('vi', 'Lan')).toMatch(/Lan$/);
  });

  it.each([
    ['Lan', true],
    ['Thị Ngọc Ánh', true],
    ["O'Brien", true],
    ['Anne-Marie', true],
    ['L', true],
    ['A'.repeat(30), true],
    ['A'.repeat(31), false],
    ['', false],
    [' Lan', false],
    ['-Lan', false],
    ['Lan2', false],
    ['lan@111.vn', false],
    ['Lan\nX', false],
  ])('alias %j allowed: %s', (alias, ok) => {
    expect(ALIAS_PATTERN.test(alias)).toBe(ok);
  });
});

describe('close outcomes', () => {
  it('knows the outcomes the hotline counts; handing back is not one of them', () => {
    for (const o of CLOSE_OUTCOMES) expect(isCloseOutcome(o)).toBe(true);
    expect(CLOSE_OUTCOMES).toEqual(['advice_given', 'referred_police', 'referred_border_guard', 'referred_social_services', 'referred_shelter', 'referred_legal_aid', 'report_filed', 'no_action']);
    expect(isCloseOutcome(HANDED_BACK)).toBe(false);
    expect(HANDED_BACK).toBe('handed_back');
    expect(isCloseOutcome('nonsense')).toBe(false);
  });
});

describe('preview', () => {
  it('a preview shows only the user’s last three messages, cut short', () => {
    const entry = (author: TranscriptEntry['author'], text: string | null, i: number): TranscriptEntry => ({ id: String(i), direction: 'inbound', author, kind: 'text', text, status: 'received', createdAt: new Date(T0 + i) });
    const long = 'ă'.repeat(PREVIEW.characters + 5);
    const exact = 'b'.repeat(PREVIEW.characters);
    const preview = previewOf([entry('user', 'first', 1), entry('user', long, 2), entry('bot', 'bot says', 3), entry('user', null, 4), entry('user', '', 5), entry('user', exact, 6), entry('counsellor', 'c', 7), entry('user', 'last', 8)]);
    expect(preview.map((p) => p.id)).toEqual(['2', '6', '8']);
    expect(preview[0]!.text).toBe(`${'ă'.repeat(PREVIEW.characters - 1)}…`);
    expect(Array.from(preview[0]!.text!)).toHaveLength(PREVIEW.characters);
    expect(preview[1]!.text).toBe(exact);
    expect(preview[2]!.text).toBe('last');
    expect(PREVIEW).toEqual({ messages: 3, characters: 160 });
    // Emoji are not cut in half.
    const emoji = previewOf([entry('user', '😀'.repeat(200), 1)])[0]!.text!;
    expect(emoji).toBe(`${'😀'.repeat(159)}…`);
  });
});

describe('wrap-up form', () => {
  it('accepts a wrap-up as the hotline counts it, each referral once', () => {
    expect(wrapUpSchema.safeParse({ contactType: 'advice', referrals: [], followUpNeeded: false }).success).toBe(true);
    expect(wrapUpSchema.safeParse({ contactType: 'advice', referrals: [...REFERRALS], followUpNeeded: false }).success).toBe(true);
    expect(wrapUpSchema.safeParse({ contactType: 'advice', referrals: ['police', 'police'], followUpNeeded: false }).success).toBe(false);
    expect(wrapUpSchema.safeParse({ contactType: 'gossip', referrals: [], followUpNeeded: false }).success).toBe(false);
    expect(wrapUpSchema.safeParse({ contactType: 'report', referrals: ['army'], followUpNeeded: true }).success).toBe(false);
    expect(CONTACT_TYPES).toEqual(['information', 'report', 'advice']);
    expect(REFERRALS).toEqual(['police', 'border_guard', 'social_services', 'shelter', 'legal_aid', 'health', 'other']);
  });
});
