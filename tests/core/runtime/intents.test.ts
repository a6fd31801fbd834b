/** Typed input resolves to flow events the same way on every channel. */
import { describe, expect, it } from 'vitest';
import { matchChoice, parseCommand, toFlowEvent } from '../../../core/runtime/intents.js';
import { fold } from '../../../text/fold.js';
import type { InboundMessage } from '../../../core/messages/types.js';

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
    expect(matchChoice('quyền', offered)).toBeUndefined();
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
