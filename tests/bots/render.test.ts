/** The adapters' pure parts: translation of platform updates, rendering limits, the Zalo signature formula. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderLine } from '../../bots/line/port.js';
import { numberedChoices, splitText } from '../../bots/shared/webhook.js';
import { keyboardFor } from '../../bots/telegram/port.js';
import { translateUpdate } from '../../bots/telegram/translate.js';
import { renderZalo } from '../../bots/zalo/port.js';
import { translateEvent, verifyZaloSignature, zaloEvent, zaloSignature } from '../../bots/zalo/translate.js';

describe('splitText', () => {
  it('keeps every character, cuts at line or word boundaries, and respects the limit', () => {
    const text = Array.from({ length: 300 }, (_, i) => `dòng ${i} có dấu tiếng Việt`).join('\n');
    const parts = splitText(text, 500);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => Array.from(p).length <= 500)).toBe(true);
    expect(parts.join('\n')).toBe(text);
    expect(splitText('x'.repeat(1001), 500).map((p) => p.length)).toEqual([500, 500, 1]);
  });
  it('numbers choices for channels without widgets', () => {
    expect(numberedChoices('Chọn:', [{ label: 'A' }, { label: 'B' }])).toBe('Chọn:\n\n1. A\n2. B');
  });
});

describe('telegram', () => {
  const from = { id: 9, is_bot: false, first_name: 'A', language_code: 'en' };
  const chat = { id: 9, type: 'private' as const, first_name: 'A' };
  it('translates commands (with @bot suffix and args), text, callbacks and ignores groups', () => {
    const cmd = translateUpdate({ update_id: 1, message: { message_id: 1, date: 0, chat, from, text: '/lang@hotline_bot en' } } as never);
    expect(cmd).toMatchObject({ kind: 'command', externalMessageId: '1', externalUserId: '9', localeHint: 'en', payload: { command: 'lang', commandArgs: 'en' } });
    expect(cmd).not.toHaveProperty('externalChatId'); // a private chat's id is the user id: not kept twice
    expect(translateUpdate({ update_id: 2, message: { message_id: 2, date: 0, chat, from, text: 'xin chào' } } as never)).toMatchObject({ kind: 'text', payload: { text: 'xin chào' } });
    expect(translateUpdate({ update_id: 3, callback_query: { id: 'q', from, chat_instance: 'c', data: 'lang.vi', message: { message_id: 1, date: 0, chat } } } as never)).toMatchObject({ kind: 'choice', payload: { choiceId: 'lang.vi' } });
    expect(translateUpdate({ update_id: 4, message: { message_id: 3, date: 0, chat: { id: -5, type: 'group', title: 'g' }, from, text: 'hi' } } as never)).toBeNull();
    expect(translateUpdate({ update_id: 5, message: { message_id: 4, date: 0, chat, from, photo: [] } } as never)).toMatchObject({ kind: 'attachment', payload: { attachmentType: 'photo' } });
  });
  it('renders choices as one button per row and drops ids over 64 bytes', () => {
    const keyboard = keyboardFor({ text: 't', author: 'bot', choices: [{ id: 'a', label: 'A' }, { id: 'x'.repeat(65), label: 'X' }] });
    expect(keyboard?.inline_keyboard).toEqual([[{ text: 'A', callback_data: 'a' }]]);
  });
});

describe('line', () => {
  it('caps quick replies at 13, labels at 20 characters, and numbers the choices when it had to cut', () => {
    const choices = Array.from({ length: 15 }, (_, i) => ({ id: `c${i}`, label: `Lựa chọn rất dài số ${i} ở đây` }));
    const [message] = renderLine({ text: 'Chọn', author: 'bot', choices }) as { text: string; quickReply: { items: { action: { label: string; data: string } }[] } }[];
    expect(message!.quickReply.items).toHaveLength(13);
    expect(message!.quickReply.items.every((i) => Array.from(i.action.label).length <= 20)).toBe(true);
    expect(message!.text).toContain('15. Lựa chọn rất dài số 14 ở đây');
  });
});

describe('zalo', () => {
  it('signs events as mac=sha256(appId + body + timestamp + OA secret key)', () => {
    const body = '{"event_name":"user_send_text","timestamp":"1700000000000"}';
    const expected = createHash('sha256').update(`app1${body}1700000000000secret`).digest('hex');
    expect(zaloSignature('app1', body, '1700000000000', 'secret')).toBe(`mac=${expected}`);
    expect(verifyZaloSignature(`mac=${expected}`, 'app1', body, '1700000000000', 'secret')).toBe(true);
    expect(verifyZaloSignature(expected, 'app1', body, '1700000000000', 'secret')).toBe(true);
    expect(verifyZaloSignature(`mac=${expected}`, 'app1', `${body} `, '1700000000000', 'secret')).toBe(false);
    expect(verifyZaloSignature(undefined, 'app1', body, '1700000000000', 'secret')).toBe(false);
  });
  it('translates button payloads into choices and hashes events without a msg_id', () => {
    const choice = zaloEvent.parse({ event_name: 'user_send_text', timestamp: 1, sender: { id: 'u' }, message: { msg_id: 'm1', text: 'choice:lang.vi' } });
    expect(translateEvent(choice, '{}')).toMatchObject({ kind: 'choice', externalMessageId: 'm1', payload: { choiceId: 'lang.vi' } });
    const follow = zaloEvent.parse({ event_name: 'follow', timestamp: '1', follower: { id: 'u' } });
    expect(translateEvent(follow, 'raw')).toMatchObject({ kind: 'command', payload: { command: 'start' }, externalMessageId: `sha256:${createHash('sha256').update('raw').digest('hex')}` });
  });
  it('renders up to 5 hidden-query buttons, numbered text beyond', () => {
    const few = renderZalo({ text: 'Chọn', author: 'bot', choices: [{ id: 'a', label: 'A' }] });
    expect(few[0]!.attachment?.payload.buttons).toEqual([{ type: 'oa.query.hide', title: 'A', payload: 'choice:a' }]);
    const many = renderZalo({ text: 'Chọn', author: 'bot', choices: Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, label: `L${i}` })) });
    expect(many[0]!.attachment).toBeUndefined();
    expect(many[0]!.text).toContain('6. L5');
  });
});
