/**
 * Text folding for matching what people type: Unicode NFC, Vietnamese diacritics stripped
 * (đ → d), lower case, punctuation to spaces, whitespace collapsed.
 * "Quyền lợi  nạn nhân!" → "quyen loi nan nhan".
 */
const COMBINING_MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

export function stripDiacritics(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

export function fold(text: string): string {
  return stripDiacritics(text.normalize('NFC')).toLowerCase().replace(NOT_WORD, ' ').trim().replace(/\s+/g, ' ');
}
