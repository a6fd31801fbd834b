/**
 * Bot Framework activities ↔ the canonical model, called directly with realistic activities: the
 * minimal conversation reference (never the display name or AAD object id), dedupe keys scoped by
 * conversation, choices as suggested actions and lists as hero cards.
 */
import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { BOTFRAMEWORK, botActivity, minimalReference, referenceOf, toActivity, toInbound } from '../../bots/botframework/translate.js';
import { scopedMessageId } from '../../core/messages/dedupe.js';

// ---------------------------------------------------------------- Bot Framework
const bfActivity = (extra: Partial<Activity> & Record<string, unknown> = {}) =>
  ({
    type: 'message',
    id: 'f:1234',
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/apac/',
    from: { id: '29:user-aad', name: 'Nguyen Van A', aadObjectId: 'aad-secret-object' },
    recipient: { id: '28:bot-id', name: 'Hotline 111' },
    conversation: { id: 'a:conv-1', tenantId: 'tenant-1', conversationType: 'personal' },
    locale: 'vi-VN',
    text: 'Xin chào',
    ...extra,
  }) as unknown as Partial<Activity>;

describe('botframework toInbound', () => {
  it('maps a message to a text turn: user id scoped by channel, dedupe key scoped by conversation, minimal reference', () => {
    expect(toInbound(bfActivity({ text: '  Xin chào  ' }))).toEqual({
      channel: BOTFRAMEWORK,
      externalUserId: 'msteams:29:user-aad',
      channelRef: { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/apac/', conversationId: 'a:conv-1', tenantId: 'tenant-1', userId: '29:user-aad', botId: '28:bot-id' },
      localeHint: 'vi-VN',
      externalMessageId: scopedMessageId('a:conv-1', 'f:1234'),
      kind: 'text',
      payload: { text: 'Xin chào' },
    });
    // The same activity id in another conversation is another message.
    expect(toInbound(bfActivity({ conversation: { id: 'a:conv-2' } as never }))!.externalMessageId).not.toBe(toInbound(bfActivity())!.externalMessageId);
    expect(toInbound(bfActivity({ text: 'x'.repeat(20_000) }))!.payload.text).toHaveLength(10_000);
    expect(toInbound(bfActivity({ locale: undefined }))).not.toHaveProperty('localeHint');
  });

  it('never keeps the display name or AAD object id, and takes the tenant from channelData when needed', () => {
    const ref = minimalReference(bfActivity({ conversation: { id: 'c' } as never, channelData: { tenant: { id: 'tenant-cd' } } }), 'u')!;
    expect(ref).toEqual({ channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/apac/', conversationId: 'c', tenantId: 'tenant-cd', userId: 'u', botId: '28:bot-id' });
    expect(JSON.stringify(toInbound(bfActivity()))).not.toMatch(/Nguyen|aad-secret/);
    expect(minimalReference(bfActivity({ conversation: { id: 'c' } as never }), 'u')).not.toHaveProperty('tenantId');
    expect(minimalReference(bfActivity({ conversation: { id: 'c', tenantId: '' } as never }), 'u')).not.toHaveProperty('tenantId');
    expect(minimalReference(bfActivity({ conversation: { id: 'c' } as never, channelData: { tenant: { id: 5 } } }), 'u')).not.toHaveProperty('tenantId');
    for (const missing of ['serviceUrl', 'channelId', 'recipient'] as const) expect(minimalReference(bfActivity({ [missing]: undefined }), 'u')).toBeNull();
    expect(minimalReference(bfActivity({ conversation: {} as never }), 'u')).toBeNull();
    expect(minimalReference(bfActivity({ recipient: {} as never }), 'u')).toBeNull();
  });

  it('maps a card/suggested-action press to a choice and attachments to an attachment turn', () => {
    expect(toInbound(bfActivity({ text: undefined, value: { choiceId: 'flow.report' } }))).toMatchObject({ kind: 'choice', payload: { choiceId: 'flow.report' } });
    expect(toInbound(bfActivity({ text: undefined, value: { choiceId: 'q'.repeat(200) } }))!.payload.choiceId).toHaveLength(128);
    expect(toInbound(bfActivity({ text: 'typed', value: { choiceId: 7 } }))!.kind).toBe('text');
    expect(toInbound(bfActivity({ text: '   ', attachments: [{ contentType: 'image/png', contentUrl: 'https://x' }] }))).toMatchObject({
      kind: 'attachment',
      externalMessageId: scopedMessageId('a:conv-1', 'f:1234'),
      payload: { attachmentType: 'image/png' },
    });
    expect(toInbound(bfActivity({ text: undefined, attachments: [{ contentUrl: 'https://x' }] as never }))!.payload.attachmentType).toBe('file');
    expect(toInbound(bfActivity({ text: undefined, attachments: [{ contentType: 'c'.repeat(100) }] as never }))!.payload.attachmentType).toHaveLength(64);
    expect(toInbound(bfActivity({ text: undefined, attachments: [] }))).toBeNull();
    expect(toInbound(bfActivity({ text: '' }))).toBeNull();
  });

  it('ignores activities without a sender, conversation or id, and non-message activities', () => {
    expect(toInbound(bfActivity({ from: undefined }))).toBeNull();
    expect(toInbound(bfActivity({ from: {} as never }))).toBeNull();
    expect(toInbound(bfActivity({ conversation: undefined }))).toBeNull();
    expect(toInbound(bfActivity({ conversation: {} as never }))).toBeNull();
    expect(toInbound(bfActivity({ serviceUrl: undefined }))).toBeNull();
    expect(toInbound(bfActivity({ id: undefined }))).toBeNull();
    for (const type of ['typing', 'event', 'invoke', 'messageReaction']) expect(toInbound(bfActivity({ type }))).toBeNull();
  });

  it('welcomes a person who joins (not the bot itself), once per conversation', () => {
    const update = (membersAdded: { id: string }[] | undefined) => bfActivity({ type: 'conversationUpdate', id: undefined, text: undefined, from: { id: '29:user-aad' } as never, membersAdded } as never);
    expect(toInbound(update([{ id: '28:bot-id' }, { id: '29:new-user' }]))).toEqual({
      channel: BOTFRAMEWORK,
      externalUserId: 'msteams:29:new-user',
      channelRef: { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/apac/', conversationId: 'a:conv-1', tenantId: 'tenant-1', userId: '29:new-user', botId: '28:bot-id' },
      localeHint: 'vi-VN',
      externalMessageId: scopedMessageId('a:conv-1', 'join:29:new-user'),
      kind: 'command',
      payload: { command: 'start' },
    });
    expect(toInbound(update([{ id: '28:bot-id' }]))).toBeNull();
    expect(toInbound(update(undefined))).toBeNull();
  });

  it('names the channel "unknown" in the user id when the activity has none', () => {
    const a = bfActivity();
    expect(toInbound({ ...a, channelId: undefined } as never)).toBeNull();
  });

  it('checks the activity before botbuilder reads it', () => {
    const base = bfActivity() as Record<string, unknown>;
    expect(botActivity.safeParse(base).success).toBe(true);
    expect(botActivity.safeParse({ ...base, serviceUrl: 'not a url' }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, type: '' }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, channelId: '' }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, conversation: { id: '' } }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, from: { id: '' } }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, membersAdded: Array.from({ length: 101 }, (_, i) => ({ id: `m${i}` })) }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, attachments: Array.from({ length: 51 }, () => ({})) }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, text: 't'.repeat(100_001) }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, locale: 'l'.repeat(36) }).success).toBe(false);
    expect(botActivity.safeParse({ ...base, channelData: 'x' }).success).toBe(false);
  });
});

describe('botframework toActivity and referenceOf', () => {
  it('renders choices as imBack suggested actions with their labels', () => {
    const a = toActivity({ author: 'bot', text: 'Bạn muốn làm gì?', choices: [{ id: 'flow.report', label: 'Báo cáo' }, { id: 'flow.faq', label: 'Hỏi đáp' }] });
    expect(a.type).toBe('message');
    expect(a.text).toBe('Bạn muốn làm gì?');
    expect(a.suggestedActions!.actions.map((x) => [x.type, x.title, x.value])).toEqual([
      ['imBack', 'Báo cáo', 'Báo cáo'],
      ['imBack', 'Hỏi đáp', 'Hỏi đáp'],
    ]);
    const plain = toActivity({ author: 'bot', text: 'Cảm ơn' });
    expect(plain).toMatchObject({ type: 'message', text: 'Cảm ơn' });
    expect(plain.suggestedActions).toBeUndefined();
    expect(toActivity({ author: 'bot', text: 'x', choices: [] }).suggestedActions).toBeUndefined();
  });

  it('renders directory results as a list of hero cards with a button only for cards that have a choice', () => {
    const a = toActivity({
      author: 'bot',
      text: 'Dịch vụ gần bạn',
      cards: [
        { title: 'Shelter A', body: 'Hà Nội', choiceId: 'svc.a', action: 'Chọn A' },
        { title: 'Shelter B', body: 'Huế', choiceId: 'svc.b' },
        { title: 'Info', body: 'no action' },
      ],
      choices: [{ id: 'back', label: 'Quay lại' }],
    });
    expect(a.text).toBe('Dịch vụ gần bạn');
    expect(a.attachmentLayout).toBe('list');
    const cards = a.attachments!.map((x) => x.content as { title: string; text: string; buttons?: { type: string; title: string; value: string }[] });
    expect(cards.map((c) => [c.title, c.text])).toEqual([
      ['Shelter A', 'Hà Nội'],
      ['Shelter B', 'Huế'],
      ['Info', 'no action'],
    ]);
    expect(a.attachments!.every((x) => x.contentType === 'application/vnd.microsoft.card.hero')).toBe(true);
    expect(cards[0]!.buttons).toEqual([{ type: 'imBack', title: 'Chọn A', value: 'Chọn A' }]);
    expect(cards[1]!.buttons).toEqual([{ type: 'imBack', title: 'Shelter B', value: 'Shelter B' }]);
    expect(cards[2]!.buttons ?? []).toEqual([]);
    expect(a.suggestedActions!.actions.map((x) => x.title)).toEqual(['Quay lại']);
    expect(toActivity({ author: 'bot', text: 't', cards: [{ title: 'A', body: 'b' }] }).suggestedActions).toBeUndefined();
  });

  it('rebuilds a personal conversation reference from the stored one, or nothing when incomplete', () => {
    const stored = { channelId: 'msteams', serviceUrl: 'https://smba/', conversationId: 'a:conv', tenantId: 't1', userId: '29:u', botId: '28:b' };
    expect(referenceOf(stored)).toEqual({
      channelId: 'msteams',
      serviceUrl: 'https://smba/',
      conversation: { id: 'a:conv', isGroup: false, conversationType: 'personal', name: '', tenantId: 't1' },
      bot: { id: '28:b', name: '' },
      user: { id: '29:u', name: '' },
    });
    const { tenantId: _t, userId: _u, ...bare } = stored;
    expect(referenceOf(bare)).toEqual({ channelId: 'msteams', serviceUrl: 'https://smba/', conversation: { id: 'a:conv', isGroup: false, conversationType: 'personal', name: '' }, bot: { id: '28:b', name: '' } });
    for (const k of ['serviceUrl', 'conversationId', 'channelId', 'botId'] as const) expect(referenceOf({ ...stored, [k]: '' })).toBeNull();
    expect(referenceOf(null)).toBeNull();
    expect(referenceOf(undefined)).toBeNull();
  });
});

