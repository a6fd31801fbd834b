/**
 * Turns a canonical inbound message into a flow event: commands, typed numbers or words of an
 * offered choice, and global keywords (menu, back, language, counsellor, help, delete) in either
 * language, with or without diacritics.
 */
import type { FlowEvent, Locale } from '../../flows/types.js';
import type { InboundMessage, OutboundChoice } from '../messages/types.js';
import { resource, SUPPORTED_LOCALES, toLocale } from '../i18n/index.js';
import { fold } from '../../text/fold.js';

type IntentName = 'menu' | 'back' | 'counsellor' | 'language' | 'lang_vi' | 'lang_en' | 'help' | 'delete';

const COMMANDS: Record<string, (args: string) => FlowEvent> = {
  start: () => ({ type: 'START' }),
  menu: () => ({ type: 'MENU' }),
  back: () => ({ type: 'BACK' }),
  help: () => ({ type: 'HELP' }),
  counsellor: () => ({ type: 'COUNSELLOR' }),
  counselor: () => ({ type: 'COUNSELLOR' }),
  delete: () => ({ type: 'DELETE' }),
  lang: (args) => {
    const locale = toLocale(args.trim());
    return locale ? { type: 'LANG', locale } : { type: 'LANG' };
  },
};

let keywordIndex: Map<string, IntentName> | undefined;

/** Folded keyword → intent, from locales/<lng>/intents.json of every language (users mix them). */
function keywords(): Map<string, IntentName> {
  if (!keywordIndex) {
    keywordIndex = new Map();
    for (const lng of SUPPORTED_LOCALES) {
      const lists = resource<Record<IntentName, string[]>>(lng, 'intents');
      for (const [intent, words] of Object.entries(lists) as [IntentName, string[]][]) {
        for (const word of words) keywordIndex.set(fold(word), intent);
      }
    }
  }
  return keywordIndex;
}

function intentEvent(intent: IntentName): FlowEvent {
  switch (intent) {
    case 'menu':
      return { type: 'MENU' };
    case 'back':
      return { type: 'BACK' };
    case 'counsellor':
      return { type: 'COUNSELLOR' };
    case 'language':
      return { type: 'LANG' };
    case 'lang_vi':
      return { type: 'LANG', locale: 'vi' };
    case 'lang_en':
      return { type: 'LANG', locale: 'en' };
    case 'help':
      return { type: 'HELP' };
    case 'delete':
      return { type: 'DELETE' };
  }
}

/** Parses "/lang en" or "/start@MyBot" into a command event; null when it is no known command. */
export function parseCommand(command: string, args = ''): FlowEvent | null {
  const name = command.replace(/^\//, '').split('@')[0]!.toLowerCase();
  const make = COMMANDS[name];
  return make ? make(args) : null;
}

/** Resolves typed text to one of the offered choices: its number, its id, or its label's words. */
export function matchChoice(text: string, offered: OutboundChoice[] | null | undefined): OutboundChoice | undefined {
  if (!offered?.length) return undefined;
  const folded = fold(text);
  if (!folded) return undefined;
  if (/^\d{1,2}$/.test(folded)) return offered[Number(folded) - 1];
  return offered.find((c) => fold(c.label) === folded || c.id === text.trim());
}

export function toFlowEvent(inbound: InboundMessage, offered: OutboundChoice[] | null | undefined, _locale: Locale): FlowEvent {
  const { payload } = inbound;
  switch (inbound.kind) {
    case 'choice':
      return { type: 'CHOICE', id: payload.choiceId ?? '' };
    case 'command':
      return parseCommand(payload.command ?? '', payload.commandArgs) ?? { type: 'TEXT', text: `/${payload.command ?? ''}` };
    case 'location':
      return payload.location
        ? { type: 'LOCATION', latitude: payload.location.latitude, longitude: payload.location.longitude }
        : { type: 'TEXT', text: '' };
    case 'attachment':
      return { type: 'ATTACHMENT', attachmentType: payload.attachmentType ?? 'file' };
    case 'text': {
      const text = payload.text ?? '';
      const trimmed = text.trim();
      if (trimmed.startsWith('/')) {
        const [command = '', ...rest] = trimmed.split(/\s+/);
        const event = parseCommand(command, rest.join(' '));
        if (event) return event;
      }
      const choice = matchChoice(trimmed, offered);
      if (choice) return { type: 'CHOICE', id: choice.id };
      const intent = keywords().get(fold(trimmed));
      if (intent) return intentEvent(intent);
      return { type: 'TEXT', text };
    }
  }
}
