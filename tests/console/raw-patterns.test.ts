/** The browser walk's scan for raw ids catches what staff saw before (issue 16), and not ordinary words. */
import { describe, expect, it } from 'vitest';
import { RAW_PATTERNS, VI_RAW } from './browser.js';

const flagged = (text: string, lang: 'vi' | 'en') => [...RAW_PATTERNS, ...(lang === 'vi' ? VI_RAW : [])].filter(([, re]) => re.test(text)).map(([name]) => name);

describe('raw id scan', () => {
  it('flags what the old console showed', () => {
    expect(flagged('Mức: emergency', 'vi')).not.toEqual([]);
    expect(flagged('Loại: confinement, immediate_danger, violence', 'en')).not.toEqual([]);
    expect(flagged('Mức: none', 'vi')).not.toEqual([]);
    expect(flagged('when ongoing', 'vi')).not.toEqual([]);
    expect(flagged('country KH\npeopleGender mixed', 'en')).not.toEqual([]);
    expect(flagged('Chuyển tư vấn viên\n{"high":2,"emergency":1}', 'en')).not.toEqual([]);
    expect(flagged('Nơi: ha-noi', 'vi')).not.toEqual([]);
    expect(flagged('handoff 3f2b8c1e-9a4d-4e2b-8f6a-0c1d2e3f4a5b', 'en')).not.toEqual([]);
    expect(flagged('queue.heldBy', 'en')).not.toEqual([]);
    expect(flagged('Ngày: 2026-12-01T08:00:00.000Z', 'vi')).not.toEqual([]);
    expect(flagged('Kết quả: undefined', 'vi')).not.toEqual([]);
  });

  it('lets ordinary console text through', () => {
    expect(flagged('Khẩn cấp · Kênh thử · Tiếng Việt Chờ 3 phút 05 giây\nTừ khớp: cứu tôi nhốt tôi\nNhận Xem trước', 'vi')).toEqual([]);
    expect(flagged('Emergency · Test channel · Vietnamese Wait 5 s\nRaised by the model alone (no warning words matched): check it.\nHeld by Lan · Open', 'en')).toEqual([]);
    expect(flagged('Report HT-7K2M-9QXA\nReceived 01/12/2026, 16:41\nTikTok', 'en')).toEqual([]);
  });
});
