/** Rendering canonical messages as Bot Framework activities (Azure channels and the built-in Direct Line). */
import { describe, expect, it } from 'vitest';
import { toActivity as toBotFramework } from '../../bots/botframework/translate.js';
import { toActivity as toDirectLine } from '../../bots/directline/activities.js';

const message = {
  text: 'Kết quả',
  author: 'bot' as const,
  choices: [{ id: 'help.more', label: 'Xem thêm' }],
  cards: [{ title: 'Ngôi nhà Bình yên', body: 'Nhà tạm lánh, Hà Nội', choiceId: 'svc.1' }],
};

describe('Bot Framework rendering', () => {
  it('renders lists as hero cards and choices as suggested actions (Azure channels)', () => {
    const activity = toBotFramework(message);
    expect(activity.attachmentLayout).toBe('list');
    expect(activity.attachments![0]!.contentType).toBe('application/vnd.microsoft.card.hero');
    expect((activity.attachments![0]!.content as { title: string }).title).toBe('Ngôi nhà Bình yên');
    expect(activity.suggestedActions!.actions.map((a) => a.title)).toEqual(['Xem thêm']);
    expect(toBotFramework({ text: 'hi', author: 'bot' }).suggestedActions).toBeUndefined();
  });

  it('renders the same for the built-in Direct Line, with choice ids as messageBack values', () => {
    const row = { id: 'm1', seq: 1n, direction: 'outbound' as const, author: 'bot' as const, text: message.text, payload: { choices: message.choices, cards: message.cards }, channelMessageId: null, createdAt: new Date(0) };
    const activity = toDirectLine('dl-1', row, () => undefined, {});
    expect(activity.attachments![0]!.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(activity.suggestedActions!.actions[0]).toEqual({ type: 'messageBack', title: 'Xem thêm', displayText: 'Xem thêm', value: { choiceId: 'help.more' } });
  });
});
