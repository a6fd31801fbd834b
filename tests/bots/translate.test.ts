/**
 * Telegram, LINE and Zalo translation and the Direct Line tokens, called directly with realistic platform payloads (no app, no
 * database): platform update → canonical InboundMessage, and the
 * Direct Line token rules (Bot Framework's: botframework-translate.test.ts). Only private chats are served; group/room events come back null.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { bearer, issueToken, newConversationId, TOKEN_SECONDS, verifyToken, verifyTokenClaims } from '../../bots/directline/tokens.js';
import { LINE, lineWebhookBody, REPLY_TOKEN_TTL_MS, translateEvent as lineEvent } from '../../bots/line/translate.js';
import { TELEGRAM, telegramUpdate, translateUpdate } from '../../bots/telegram/translate.js';
import { CHOICE_PREFIX, translateEvent as zaloTranslate, verifyZaloSignature, ZALO, zaloEvent, zaloSignature } from '../../bots/zalo/translate.js';

// ---------------------------------------------------------------- Telegram
const tgUser = { id: 4242, is_bot: false, first_name: 'Lan', language_code: 'vi' };
const privateChat = { id: 4242, type: 'private', first_name: 'Lan' };
const tgMessage = (extra: Record<string, unknown>, chat: Record<string, unknown> = privateChat, from: Record<string, unknown> | null = tgUser) =>
  ({ update_id: 900001, message: { message_id: 17, date: 1_760_000_000, chat, ...(from ? { from } : {}), ...extra } }) as unknown as Update;

describe('telegram translateUpdate', () => {
  it('maps a private text message to a text turn keyed by the update id, with the language hint', () => {
    expect(translateUpdate(tgMessage({ text: 'tôi cần giúp đỡ' }))).toEqual({
      channel: TELEGRAM,
      externalMessageId: '900001',
      externalUserId: '4242',
      localeHint: 'vi',
      kind: 'text',
      payload: { text: 'tôi cần giúp đỡ' },
    });
  });

  it('leaves out the language hint when Telegram gives none, and keeps no chat id for a private chat', () => {
    const out = translateUpdate(tgMessage({ text: 'hi' }, privateChat, { id: 4242, is_bot: false, first_name: 'Lan' }))!;
    expect(out).not.toHaveProperty('localeHint');
    expect(out).not.toHaveProperty('externalChatId');
  });

  it('keeps the chat id when a private chat id differs from the user id', () => {
    expect(translateUpdate(tgMessage({ text: 'hi' }, { id: 77, type: 'private' }))!.externalChatId).toBe('77');
  });

  it('ignores groups, supergroups and channels, and messages with no sender', () => {
    for (const type of ['group', 'supergroup', 'channel']) expect(translateUpdate(tgMessage({ text: 'hello' }, { id: -100123, type }))).toBeNull();
    expect(translateUpdate(tgMessage({ text: 'hello' }, privateChat, null))).toBeNull();
    expect(translateUpdate({ update_id: 5 } as Update)).toBeNull();
  });

  it('turns /commands (with @botname and arguments) into command turns, lower-cased', () => {
    expect(translateUpdate(tgMessage({ text: '/Start@hotline111_bot  en ' }))).toMatchObject({ kind: 'command', payload: { command: 'start', commandArgs: 'en', text: '/Start@hotline111_bot  en ' } });
    const bare = translateUpdate(tgMessage({ text: '  /help  ' }))!;
    expect(bare).toMatchObject({ kind: 'command', payload: { command: 'help', text: '  /help  ' } });
    expect(bare.payload).not.toHaveProperty('commandArgs');
    expect(translateUpdate(tgMessage({ text: `/report ${'x'.repeat(400)}` }))!.payload.commandArgs).toHaveLength(256);
    // Not commands: a slash inside text, a too-long command name, an empty command.
    expect(translateUpdate(tgMessage({ text: 'and/or' }))!.kind).toBe('text');
    expect(translateUpdate(tgMessage({ text: `/${'a'.repeat(33)}` }))!.kind).toBe('text');
    expect(translateUpdate(tgMessage({ text: '/' }))!.kind).toBe('text');
    expect(translateUpdate(tgMessage({ text: '/a-b' }))!.kind).toBe('text');
    expect(translateUpdate(tgMessage({ text: 'x /start' }))!.kind).toBe('text');
    expect(translateUpdate(tgMessage({ text: '/start\nline two' }))).toMatchObject({ kind: 'command', payload: { command: 'start', commandArgs: 'line two' } });
  });

  it('maps a shared location and attachments (with their caption)', () => {
    expect(translateUpdate(tgMessage({ location: { latitude: 10.7769, longitude: 106.7009, horizontal_accuracy: 20 } }))).toMatchObject({
      kind: 'location',
      payload: { location: { latitude: 10.7769, longitude: 106.7009 } },
    });
    expect(translateUpdate(tgMessage({ location: { latitude: 10.7769, longitude: 106.7009 } }))!.payload.location).toEqual({ latitude: 10.7769, longitude: 106.7009 });
    expect(translateUpdate(tgMessage({ photo: [{ file_id: 'p', file_unique_id: 'u', width: 1, height: 1 }], caption: 'passport' }))).toMatchObject({
      kind: 'attachment',
      payload: { attachmentType: 'photo', text: 'passport' },
    });
    const voice = translateUpdate(tgMessage({ voice: { file_id: 'v', file_unique_id: 'u', duration: 3 } }))!;
    expect(voice.payload).toEqual({ attachmentType: 'voice' });
    for (const k of ['document', 'audio', 'video', 'video_note', 'sticker', 'contact']) expect(translateUpdate(tgMessage({ [k]: {} }))!.payload.attachmentType).toBe(k);
    // A service message (someone pinned something) is not a turn.
    expect(translateUpdate(tgMessage({ pinned_message: {} }))).toBeNull();
  });

  it('maps a button press in a private chat to a choice, and ignores group presses and empty data', () => {
    const press = (data: string | undefined, chat: Record<string, unknown> | undefined = privateChat) =>
      ({ update_id: 900002, callback_query: { id: 'cbq-1', from: tgUser, chat_instance: 'ci', ...(data !== undefined ? { data } : {}), ...(chat ? { message: { message_id: 3, date: 1, chat } } : {}) } }) as unknown as Update;
    expect(translateUpdate(press('flow.report'))).toEqual({
      channel: TELEGRAM,
      externalMessageId: '900002',
      externalUserId: '4242',
      localeHint: 'vi',
      kind: 'choice',
      payload: { choiceId: 'flow.report' },
    });
    expect(translateUpdate(press('x'.repeat(100)))!.payload.choiceId).toHaveLength(64);
    expect(translateUpdate(press('a', { id: 55, type: 'private' }))!.externalChatId).toBe('55');
    expect(translateUpdate(press('a', undefined))).toMatchObject({ kind: 'choice', payload: { choiceId: 'a' } });
    expect(translateUpdate(press('a', undefined))).not.toHaveProperty('externalChatId');
    expect(translateUpdate(press('a', { id: -1001, type: 'supergroup' }))).toBeNull();
    expect(translateUpdate(press(undefined))).toBeNull();
    expect(translateUpdate(press(''))).toBeNull();
    const noLang = { update_id: 1, callback_query: { id: 'c', from: { id: 4242, is_bot: false, first_name: 'L' }, chat_instance: 'ci', data: 'a' } } as unknown as Update;
    expect(translateUpdate(noLang)).not.toHaveProperty('localeHint');
  });

  it('checks the parts it reads before reading them', () => {
    expect(telegramUpdate.safeParse({ update_id: 1, message: { chat: { id: 1, type: 'private' }, text: 'hi', extra: true } }).success).toBe(true);
    expect(telegramUpdate.safeParse({ update_id: 1.5 }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 2 ** 60 }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, message: { chat: { id: 1, type: 'private' }, text: 'x'.repeat(10_001) } }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, message: { chat: { id: 1, type: 'private' }, location: { latitude: 91, longitude: 0 } } }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, message: { chat: { id: 1, type: 'private' }, location: { latitude: 0, longitude: -181 } } }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, callback_query: { id: 'x'.repeat(257), from: { id: 1 } } }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, callback_query: { id: 'c', from: { id: 1 }, data: 'd'.repeat(257) } }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, message: { chat: { id: 1, type: 'x'.repeat(33) } } }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, message: { chat: { id: 1, type: 'private' }, from: { id: 1, language_code: 'x'.repeat(36) } } }).success).toBe(false);
    expect(telegramUpdate.safeParse({ update_id: 1, message: { chat: { id: 1, type: 'private' }, caption: 'x'.repeat(10_001) } }).success).toBe(false);
  });
});

// ---------------------------------------------------------------- LINE
const NOW = new Date('2026-03-01T08:00:00.000Z');
const lineUser = 'U4af4980629a0b3b0e0c1f8a9f0b1c2d3';
const line = (body: Record<string, unknown>, source: Record<string, unknown> = { type: 'user', userId: lineUser }) =>
  lineWebhookBody.parse({ destination: 'Ubot', events: [{ webhookEventId: '01HQ9Z8Y7X', timestamp: NOW.getTime(), mode: 'active', source, replyToken: 'rt-abc', deliveryContext: { isRedelivery: false }, ...body }] }).events[0]!;

describe('line translateEvent', () => {
  it('maps a 1:1 text message to a text turn keyed by the webhook event id, with a reply token good for 50 s', () => {
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '4685', quoteToken: 'q', text: 'Xin chào' } }), NOW)).toEqual({
      channel: LINE,
      externalUserId: lineUser,
      externalMessageId: '01HQ9Z8Y7X',
      replyHandle: { value: 'rt-abc', expiresAt: new Date(NOW.getTime() + REPLY_TOKEN_TTL_MS).toISOString() },
      kind: 'text',
      payload: { text: 'Xin chào' },
    });
    expect(REPLY_TOKEN_TTL_MS).toBeLessThan(60_000);
    expect(REPLY_TOKEN_TTL_MS).toBeGreaterThanOrEqual(30_000);
  });

  it('has no reply handle when the event carries no reply token', () => {
    const e = line({ type: 'message', message: { type: 'text', id: '1', text: 'hi' } });
    delete (e as { replyToken?: string }).replyToken;
    expect(lineEvent(e, NOW)).not.toHaveProperty('replyHandle');
  });

  it('ignores group and room events, and events without a user', () => {
    const msg = { type: 'message', message: { type: 'text', id: '1', text: 'hi' } };
    expect(lineEvent(line(msg, { type: 'group', groupId: 'C123', userId: lineUser }), NOW)).toBeNull();
    expect(lineEvent(line(msg, { type: 'room', roomId: 'R123', userId: lineUser }), NOW)).toBeNull();
    expect(lineEvent(line(msg, { type: 'user' }), NOW)).toBeNull();
    const none = line(msg);
    delete (none as { source?: unknown }).source;
    expect(lineEvent(none, NOW)).toBeNull();
  });

  it('starts on follow, maps postbacks to choices, and ignores unfollow and unsend', () => {
    expect(lineEvent(line({ type: 'follow', follow: { isUnblocked: false } }), NOW)).toMatchObject({ kind: 'command', payload: { command: 'start' } });
    expect(lineEvent(line({ type: 'postback', postback: { data: 'flow.report' } }), NOW)).toMatchObject({ kind: 'choice', payload: { choiceId: 'flow.report' } });
    expect(lineEvent(line({ type: 'postback', postback: { data: 'y'.repeat(300) } }), NOW)!.payload.choiceId).toHaveLength(128);
    expect(lineEvent(line({ type: 'postback', postback: { data: '' } }), NOW)).toBeNull();
    expect(lineEvent(line({ type: 'postback' }), NOW)).toBeNull();
    expect(lineEvent(line({ type: 'unfollow' }), NOW)).toBeNull();
    expect(lineEvent(line({ type: 'unsend', unsend: { messageId: '1' } }), NOW)).toBeNull();
  });

  it('maps commands, locations and other message types', () => {
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '1', text: ' /START vi ' } }), NOW)).toMatchObject({ kind: 'command', payload: { command: 'start', commandArgs: 'vi', text: ' /START vi ' } });
    const bare = lineEvent(line({ type: 'message', message: { type: 'text', id: '1', text: '/help' } }), NOW)!;
    expect(bare.payload).toEqual({ command: 'help', text: '/help' });
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '1', text: `/r ${'z'.repeat(300)}` } }), NOW)!.payload.commandArgs).toHaveLength(256);
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '1', text: 'a /start' } }), NOW)!.kind).toBe('text');
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '1', text: '/start@bot' } }), NOW)!.kind).toBe('text');
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '1', text: `/${'a'.repeat(33)}` } }), NOW)!.kind).toBe('text');
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '1', text: '/start\nmore' } }), NOW)!.payload).toMatchObject({ command: 'start', commandArgs: 'more' });
    expect(lineEvent(line({ type: 'message', message: { type: 'location', id: '2', title: 'Here', address: 'Q1', latitude: 10.77, longitude: 106.7 } }), NOW)).toMatchObject({
      kind: 'location',
      payload: { location: { latitude: 10.77, longitude: 106.7 } },
    });
    expect(lineEvent(line({ type: 'message', message: { type: 'location', id: '2', latitude: 10.77, longitude: 106.7 } }), NOW)!.payload).toEqual({ location: { latitude: 10.77, longitude: 106.7 } });
    expect(lineEvent(line({ type: 'message', message: { type: 'location', id: '2', latitude: 10.77 } }), NOW)).toMatchObject({ kind: 'attachment', payload: { attachmentType: 'location' } });
    expect(lineEvent(line({ type: 'message', message: { type: 'location', id: '2', longitude: 10.77 } }), NOW)!.kind).toBe('attachment');
    expect(lineEvent(line({ type: 'message', message: { type: 'image', id: '3', contentProvider: { type: 'line' } } }), NOW)).toMatchObject({ kind: 'attachment', payload: { attachmentType: 'image' } });
    expect(lineEvent(line({ type: 'message', message: { type: 'text', id: '1' } }), NOW)).toMatchObject({ kind: 'attachment', payload: { attachmentType: 'text' } });
    expect(lineEvent(line({ type: 'message', message: { type: 'x'.repeat(64), id: '1' } }), NOW)!.payload.attachmentType).toHaveLength(64);
    expect(lineEvent(line({ type: 'message' }), NOW)).toBeNull();
  });

  it('checks the body before reading it', () => {
    const ok = { webhookEventId: 'e', timestamp: 1, type: 'message' };
    expect(lineWebhookBody.safeParse({ events: [] }).success).toBe(true);
    expect(lineWebhookBody.safeParse({ events: Array.from({ length: 101 }, () => ok) }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, webhookEventId: '' }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, webhookEventId: 'x'.repeat(257) }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, source: { type: 'user', userId: '' } }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, source: { type: 'user', userId: 'U'.repeat(257) } }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, source: { type: 'x'.repeat(33) } }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, replyToken: 'r'.repeat(513) }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, message: { type: 'text', text: 't'.repeat(10_001) } }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, message: { type: 'x'.repeat(65) } }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, message: { type: 'location', latitude: -91, longitude: 0 } }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, message: { type: 'location', latitude: 0, longitude: 181 } }] }).success).toBe(false);
    expect(lineWebhookBody.safeParse({ events: [{ ...ok, postback: { data: 'd'.repeat(1025) } }] }).success).toBe(false);
  });
});

// ---------------------------------------------------------------- Zalo
const ZALO_APP = '1234567890123456789';
const ZALO_SECRET = 'oa-secret-key';
/** The documented Zalo OA formula, written here independently: "mac=" + hex sha256(appId + body + timestamp + OA secret). */
const documentedMac = (body: string, timestamp: string, appId = ZALO_APP, secret = ZALO_SECRET) => `mac=${createHash('sha256').update(appId + body + timestamp + secret).digest('hex')}`;
const zaloUser = '2468013579';
const zalo = (event: Record<string, unknown>) => {
  const raw = JSON.stringify({ app_id: ZALO_APP, user_id_by_app: '55', timestamp: '1740000000000', sender: { id: zaloUser }, recipient: { id: 'oa-1' }, ...event });
  return { event: zaloEvent.parse(JSON.parse(raw)), raw };
};

describe('zalo signature', () => {
  const { raw } = zalo({ event_name: 'user_send_text', message: { msg_id: 'm1', text: 'hi' } });
  it('accepts the documented mac, with or without the mac= prefix and in upper case', () => {
    const mac = documentedMac(raw, '1740000000000');
    expect(zaloSignature(ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(mac);
    expect(verifyZaloSignature(mac, ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(true);
    expect(verifyZaloSignature(mac.slice('mac='.length), ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(true);
    expect(verifyZaloSignature(`  ${mac.toUpperCase().replace('MAC=', 'mac=')} `, ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(true);
    expect(verifyZaloSignature(mac.toUpperCase(), ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(true);
  });
  it('refuses a missing, forged or replayed-with-another-timestamp mac', () => {
    const mac = documentedMac(raw, '1740000000000');
    expect(verifyZaloSignature(undefined, ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(false);
    expect(verifyZaloSignature('', ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(false);
    expect(verifyZaloSignature(documentedMac(raw, '1740000000000', ZALO_APP, 'wrong-secret'), ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(false);
    expect(verifyZaloSignature(mac, ZALO_APP, raw, '1740000000001', ZALO_SECRET)).toBe(false);
    expect(verifyZaloSignature(mac, ZALO_APP, `${raw} `, '1740000000000', ZALO_SECRET)).toBe(false);
    expect(verifyZaloSignature(mac, '999', raw, '1740000000000', ZALO_SECRET)).toBe(false);
    expect(verifyZaloSignature('mac=', ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(false);
    expect(verifyZaloSignature(`xmac=${mac.slice(4)}`, ZALO_APP, raw, '1740000000000', ZALO_SECRET)).toBe(false);
  });
});

describe('zalo translateEvent', () => {
  it('maps a text to a text turn keyed by msg_id', () => {
    const { event, raw } = zalo({ event_name: 'user_send_text', message: { msg_id: 'msg-77', text: 'Tôi bị giữ giấy tờ' } });
    expect(zaloTranslate(event, raw)).toEqual({ channel: ZALO, externalUserId: zaloUser, externalMessageId: 'msg-77', kind: 'text', payload: { text: 'Tôi bị giữ giấy tờ' } });
  });
  it('keys an event without msg_id by the hash of its body', () => {
    const { event, raw } = zalo({ event_name: 'user_send_text', message: { text: 'hi' } });
    expect(zaloTranslate(event, raw)!.externalMessageId).toBe(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
    const { event: e2, raw: raw2 } = zalo({ event_name: 'user_send_text' });
    expect(zaloTranslate(e2, raw2)).toMatchObject({ kind: 'text', payload: { text: '' } });
  });
  it('maps a button answer (the hidden "choice:" text) to a choice, capped at 128 characters', () => {
    expect(CHOICE_PREFIX).toBe('choice:');
    const { event, raw } = zalo({ event_name: 'user_send_text', message: { msg_id: 'm', text: 'choice:flow.report' } });
    expect(zaloTranslate(event, raw)).toMatchObject({ kind: 'choice', payload: { choiceId: 'flow.report' } });
    const long = zalo({ event_name: 'user_send_text', message: { msg_id: 'm', text: `choice:${'c'.repeat(200)}` } });
    expect(zaloTranslate(long.event, long.raw)!.payload.choiceId).toBe('c'.repeat(128));
    const inside = zalo({ event_name: 'user_send_text', message: { msg_id: 'm', text: 'my choice:x' } });
    expect(zaloTranslate(inside.event, inside.raw)!.kind).toBe('text');
  });
  it('starts on follow (follower id, else sender), and ignores a follow with nobody', () => {
    const f = zalo({ event_name: 'follow', follower: { id: '1357' }, sender: undefined });
    expect(zaloTranslate(f.event, f.raw)).toMatchObject({ externalUserId: '1357', kind: 'command', payload: { command: 'start' } });
    const s = zalo({ event_name: 'follow' });
    expect(zaloTranslate(s.event, s.raw)!.externalUserId).toBe(zaloUser);
    const n = zalo({ event_name: 'follow', sender: undefined });
    expect(zaloTranslate(n.event, n.raw)).toBeNull();
  });
  it('ignores events not sent by a user (OA messages, unfollow) and user events with no sender', () => {
    for (const name of ['oa_send_text', 'unfollow', 'user_seen_message', 'user_received_message']) {
      const { event, raw } = zalo({ event_name: name, message: { msg_id: 'm', text: 'x' } });
      expect(zaloTranslate(event, raw)).toBeNull();
    }
    const { event, raw } = zalo({ event_name: 'user_send_text', sender: undefined, message: { msg_id: 'm', text: 'x' } });
    expect(zaloTranslate(event, raw)).toBeNull();
  });
  it('maps a shared location (numbers or numeric strings) and refuses a location without coordinates', () => {
    const loc = (coordinates: unknown) => zalo({ event_name: 'user_send_location', message: { msg_id: 'm', attachments: [{ type: 'location', payload: { coordinates } }] } });
    const a = loc({ latitude: '10.7769', longitude: '106.7009' });
    expect(zaloTranslate(a.event, a.raw)).toEqual({ channel: ZALO, externalUserId: zaloUser, externalMessageId: 'm', kind: 'location', payload: { location: { latitude: 10.7769, longitude: 106.7009 } } });
    const b = loc({ latitude: -33.5, longitude: 151 });
    expect(zaloTranslate(b.event, b.raw)!.payload.location).toEqual({ latitude: -33.5, longitude: 151 });
    const other = zalo({ event_name: 'user_send_location', message: { msg_id: 'm', attachments: [{ type: 'image', payload: { coordinates: { latitude: 1, longitude: 2 } } }] } });
    expect(zaloTranslate(other.event, other.raw)).toBeNull();
    const none = zalo({ event_name: 'user_send_location', message: { msg_id: 'm' } });
    expect(zaloTranslate(none.event, none.raw)).toBeNull();
    const inf = zalo({ event_name: 'user_send_location', message: { msg_id: 'm', attachments: [{ type: 'location', payload: { coordinates: { latitude: 1, longitude: 2 } } }] } });
    (inf.event.message!.attachments![0]!.payload!.coordinates as { latitude: number }).latitude = Number.POSITIVE_INFINITY;
    expect(zaloTranslate(inf.event, inf.raw)).toBeNull();
    const inf2 = zalo({ event_name: 'user_send_location', message: { msg_id: 'm', attachments: [{ type: 'location', payload: { coordinates: { latitude: 1, longitude: 2 } } }] } });
    (inf2.event.message!.attachments![0]!.payload!.coordinates as { longitude: number }).longitude = Number.NaN;
    expect(zaloTranslate(inf2.event, inf2.raw)).toBeNull();
    expect(zaloEvent.safeParse({ event_name: 'user_send_location', timestamp: 1, message: { attachments: [{ type: 'location', payload: { coordinates: { latitude: '1e5', longitude: '2' } } }] } }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'user_send_location', timestamp: 1, message: { attachments: [{ type: 'location', payload: { coordinates: { latitude: '12.5x', longitude: '2' } } }] } }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'user_send_location', timestamp: 1, message: { attachments: [{ type: 'location', payload: { coordinates: { latitude: 'x12.5', longitude: '2' } } }] } }).success).toBe(false);
  });
  it('maps other user events to attachments named after the event', () => {
    const { event, raw } = zalo({ event_name: 'user_send_image', message: { msg_id: 'm', attachments: [{ type: 'photo', payload: { url: 'https://x' } }] } });
    expect(zaloTranslate(event, raw)).toMatchObject({ kind: 'attachment', payload: { attachmentType: 'image' } });
    const sticker = zalo({ event_name: 'user_send_sticker', message: { msg_id: 'm' } });
    expect(zaloTranslate(sticker.event, sticker.raw)!.payload).toEqual({ attachmentType: 'sticker' });
  });
  it('checks the event before reading it, ids as strings', () => {
    expect(zaloEvent.parse({ event_name: 'follow', timestamp: 1740000000000, follower: { id: 12345 }, app_id: 99 })).toMatchObject({ timestamp: '1740000000000', follower: { id: '12345' }, app_id: '99' });
    expect(zaloEvent.safeParse({ event_name: '', timestamp: '1' }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'x'.repeat(65), timestamp: '1' }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'follow' }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'follow', timestamp: '1', sender: { id: '' } }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'follow', timestamp: '1', sender: { id: 'x'.repeat(257) } }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'user_send_text', timestamp: '1', message: { msg_id: '' } }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'user_send_text', timestamp: '1', message: { msg_id: 'x'.repeat(257) } }).success).toBe(false);
    expect(zaloEvent.safeParse({ event_name: 'user_send_text', timestamp: '1', message: { text: 't'.repeat(10_001) } }).success).toBe(false);
  });
});

// ---------------------------------------------------------------- Direct Line tokens
const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const T0 = new Date('2026-03-01T08:00:00.000Z');
/** The token format, written here independently: base64url(JSON payload) "." base64url(HMAC-SHA256(key, "directline:" + body)). */
const forge = (payload: unknown, key = KEY) => {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(`directline:${body}`).digest('base64url')}`;
};
const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('direct line tokens', () => {
  it('issues a 30-minute token for one conversation that verifies to that conversation (and the page language)', () => {
    expect(TOKEN_SECONDS).toBe(1800);
    const { token, expires_in } = issueToken(KEY, 'dl-abc', T0, 'en');
    expect(expires_in).toBe(1800);
    expect(decode(token)).toEqual({ c: 'dl-abc', x: T0.getTime() / 1000 + 1800, l: 'en' });
    expect(token).toBe(forge({ c: 'dl-abc', x: T0.getTime() / 1000 + 1800, l: 'en' }));
    expect(verifyTokenClaims(KEY, token, T0)).toEqual({ conversationId: 'dl-abc', locale: 'en' });
    expect(verifyToken(KEY, token, T0)).toBe('dl-abc');
    expect(decode(issueToken(KEY, 'dl-abc', new Date(T0.getTime() + 999)).token).x).toBe(T0.getTime() / 1000 + 1800);
    expect(decode(issueToken(KEY, 'c', T0, 'l'.repeat(50)).token).l).toHaveLength(35);
    const noLocale = issueToken(KEY, 'dl-abc', T0).token;
    expect(decode(noLocale)).not.toHaveProperty('l');
    expect(verifyTokenClaims(KEY, noLocale, T0)).toEqual({ conversationId: 'dl-abc' });
    expect(decode(issueToken(KEY, 'dl-abc', T0, '').token)).not.toHaveProperty('l');
  });

  it('refuses the token once it has expired (to the second)', () => {
    const { token } = issueToken(KEY, 'dl-abc', T0);
    expect(verifyToken(KEY, token, new Date(T0.getTime() + 1800_000 - 1))).toBe('dl-abc');
    expect(() => verifyToken(KEY, token, new Date(T0.getTime() + 1800_000))).toThrow(expect.objectContaining({ code: 'FORBIDDEN', httpStatus: 403 }));
    expect(() => verifyToken(KEY, token, new Date(T0.getTime() + 3600_000))).toThrow(/expired/);
  });

  it('refuses missing, malformed, forged and tampered tokens', () => {
    const { token } = issueToken(KEY, 'dl-abc', T0);
    const [body, mac] = token.split('.') as [string, string];
    const refused = (t: string | undefined) => expect(() => verifyTokenClaims(KEY, t, T0)).toThrow(expect.objectContaining({ httpStatus: 403 }));
    refused(undefined);
    refused('');
    refused(body);
    refused(`${body}.`);
    refused(`.${mac}`);
    refused(`${token}.extra`);
    refused(`${body}.${mac.slice(0, -2)}`);
    refused(`${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`);
    refused(forge({ c: 'dl-other', x: T0.getTime() / 1000 + 1800 }, Buffer.from('another key of the same length!!')));
    // A valid MAC over a body that is not a payload, or lacks its fields.
    refused(`${Buffer.from('not json').toString('base64url')}.${createHmac('sha256', KEY).update(`directline:${Buffer.from('not json').toString('base64url')}`).digest('base64url')}`);
    refused(forge({ x: T0.getTime() / 1000 + 1800 }));
    refused(forge({ c: 5, x: T0.getTime() / 1000 + 1800 }));
    refused(forge({ c: 'dl-abc', x: String(T0.getTime() / 1000 + 1800) }));
    refused(forge({ c: 'dl-abc' }));
    expect(verifyTokenClaims(KEY, forge({ c: 'dl-abc', x: T0.getTime() / 1000 + 60, l: 7 }), T0)).toEqual({ conversationId: 'dl-abc' });
  });

  it('makes unguessable conversation ids', () => {
    const a = newConversationId();
    expect(a).toMatch(/^dl-[A-Za-z0-9_-]{24}$/);
    expect(newConversationId()).not.toBe(a);
  });

  it('reads the Bearer token from an Authorization header', () => {
    expect(bearer('Bearer abc.def')).toBe('abc.def');
    expect(bearer('bearer   abc.def')).toBe('abc.def');
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer('Bearer abc def')).toBeUndefined();
    expect(bearer('xBearer abc')).toBeUndefined();
    expect(bearer('Bearer ')).toBeUndefined();
    expect(bearer(undefined)).toBeUndefined();
  });
});
