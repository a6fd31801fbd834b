/**
 * The one matcher for what people type: turns a canonical inbound message into a flow event.
 *
 * Typed text is read through the risk detector's normaliser (core/risk/normalise.ts: folded, no
 * diacritics, repeated letters squeezed, teen-speak expanded: "ko" → "khong", "bik" → "biet"), so
 * every table below is compared in that same form. The words come from locales/<lng>/intents.json
 * (staff-editable; every language's words are accepted, users mix them). In order:
 * 1. commands ("/start", "/lang en");
 * 2. one of the choices on screen: its number ("2", "số 2"), its id, its label (whole, or a part of
 *    it: "lừa đảo" → "Bị giữ ở trại lừa đảo trực tuyến"), a short answer of its kind ("ko", "khum",
 *    "uk", "dạ", "vâng" for No/Yes buttons), or one of its keywords inside a sentence;
 * 3. a global intent: the whole message (lead words like "tôi muốn" and fillers like "ạ", "nhé"
 *    dropped) is a keyword ("menu", "thôi", "báo tin"), or an "anywhere" keyword is inside it
 *    ("... nói chuyện với tư vấn viên");
 * 4. otherwise free text for the flow.
 */
import type { FlowEvent, Locale, OpenTarget } from '../../flows/types.js';
import type { InboundMessage, OutboundChoice } from '../messages/types.js';
import { resource, SUPPORTED_LOCALES, toLocale } from '../i18n/index.js';
import { normaliseText } from '../risk/normalise.js';

type IntentName =
  | 'menu' | 'back' | 'counsellor' | 'language' | 'lang_vi' | 'lang_en' | 'help' | 'delete'
  | 'cancel' | 'report' | 'rights' | 'find_help' | 'signs';

/** locales/<lng>/intents.json */
interface IntentsFile {
  global: Partial<Record<IntentName, string[]>>;
  anywhere: Partial<Record<IntentName, string[]>>;
  lead: string[];
  fillers: string[];
  polite: string[];
  stopwords: string[];
  answers: Record<string, string[]>;
  keywords: Record<string, string[]>;
}

type Words = string[];

interface Tables {
  global: Map<string, IntentName>;
  anywhere: { words: Words; intent: IntentName }[];
  lead: Words[];
  fillers: Words[];
  polite: Words[];
  stopwords: Set<string>;
  answers: Map<string, Words[]>;
  keywords: Map<string, Words[]>;
}

/**
 * Which kind of short answer a choice takes, by the last part of its id ("consent.yes" → yes,
 * "when.unknown" → unsure). A choice also takes the answers listed under its own id.
 */
const ANSWER_KINDS: Record<string, string[]> = {
  yes: ['yes'],
  no: ['no'],
  unsure: ['unsure'],
  unknown: ['unsure'],
  skip: ['skip'],
  continue: ['continue'],
  restart: ['restart'],
  submit: ['send', 'yes'],
  edit: ['edit'],
  cancel: ['cancel'],
  more: ['more'],
  start: ['start'],
  all: ['all'],
  abroad: ['abroad'],
};

/** What a number typed alone may be wrapped in: "số 2", "chọn 3", "#1", "option 2". */
const NUMBER_WORDS = new Set(['so', 'chon', 'lua', 'option', 'number', 'no', 'cau', 'muc']);

const COMMANDS: Record<string, (args: string) => FlowEvent> = {
  start: (args) => {
    const locale = toLocale(args.trim());
    return locale ? { type: 'START', locale } : { type: 'START' };
  },
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

export const words = (text: string): Words => normaliseText(text).split(' ').filter(Boolean);
const phrase = (text: string): Words => words(text);
const byLength = (a: Words, b: Words) => b.length - a.length;

let tables: Tables | undefined;

function compile(): Tables {
  const t: Tables = { global: new Map(), anywhere: [], lead: [], fillers: [], polite: [], stopwords: new Set(), answers: new Map(), keywords: new Map() };
  const add = (map: Map<string, Words[]>, key: string, list: string[]) => map.set(key, [...(map.get(key) ?? []), ...list.map(phrase).filter((w) => w.length)]);
  for (const lng of SUPPORTED_LOCALES) {
    const file = resource<IntentsFile>(lng, 'intents');
    for (const [intent, list] of Object.entries(file.global) as [IntentName, string[]][]) {
      for (const p of list) {
        const key = phrase(p).join(' ');
        if (key && !t.global.has(key)) t.global.set(key, intent);
      }
    }
    for (const [intent, list] of Object.entries(file.anywhere) as [IntentName, string[]][]) {
      for (const p of list) t.anywhere.push({ words: phrase(p), intent });
    }
    t.lead.push(...file.lead.map(phrase));
    t.fillers.push(...file.fillers.map(phrase));
    t.polite.push(...file.polite.map(phrase));
    for (const w of file.stopwords.flatMap(phrase)) t.stopwords.add(w);
    for (const [kind, list] of Object.entries(file.answers)) add(t.answers, kind, list);
    for (const [id, list] of Object.entries(file.keywords)) add(t.keywords, id, list);
  }
  for (const list of [t.lead, t.fillers, t.polite]) list.sort(byLength);
  t.anywhere = t.anywhere.filter((a) => a.words.length).sort((a, b) => byLength(a.words, b.words));
  return t;
}

function tablesOf(): Tables {
  return (tables ??= compile());
}

/** Where `needle` first occurs in `hay` as whole words, or -1. */
function indexOf(hay: Words, needle: Words, from = 0): number {
  if (!needle.length) return -1;
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const same = (a: Words, b: Words) => a.length === b.length && a.every((w, i) => w === b[i]);

/** Drops every occurrence of the phrases (longest first). */
function without(input: Words, phrases: Words[]): Words {
  let out = input;
  for (const p of phrases) {
    let at: number;
    while ((at = indexOf(out, p)) >= 0) out = [...out.slice(0, at), ...out.slice(at + p.length)];
  }
  return out;
}

/** Drops lead phrases at the start ("tôi muốn", "cho mình", "I want to"), repeatedly. */
function withoutLead(input: Words, lead: Words[]): Words {
  let out = input;
  for (let changed = true; changed && out.length; ) {
    changed = false;
    for (const p of lead) {
      if (p.length < out.length && indexOf(out, p) === 0) {
        out = out.slice(p.length);
        changed = true;
        break;
      }
    }
  }
  return out;
}

/** The heart of a short message: fillers and lead words dropped (unless nothing would be left). */
function core(input: Words, t: Tables): Words {
  const stripped = withoutLead(without(input, t.fillers), t.lead);
  return stripped.length ? stripped : input;
}

/** True when the words are one or more phrases of the list, back to back ("dạ có", "ko ko"). */
function covered(input: Words, phrases: Words[]): boolean {
  if (!input.length) return false;
  const reach = new Array<boolean>(input.length + 1).fill(false);
  reach[0] = true;
  for (let i = 0; i < input.length; i++) {
    if (!reach[i]) continue;
    for (const p of phrases) if (indexOf(input, p, i) === i) reach[i + p.length] = true;
  }
  return reach[input.length]!;
}

function answersOf(id: string, t: Tables): Words[] {
  const last = id.split('.').at(-1)!;
  const kinds = [id, ...(ANSWER_KINDS[last] ?? [])];
  return kinds.flatMap((k) => t.answers.get(k) ?? []);
}

/** A number typed alone, or wrapped ("số 2", "chọn 3"). */
function typedNumber(input: Words): number | undefined {
  const rest = input.filter((w) => !NUMBER_WORDS.has(w));
  return rest.length === 1 && /^\d{1,2}$/.test(rest[0]!) ? Number(rest[0]) : undefined;
}

/** A short answer of the choice's kind; a leading "dạ"/"vâng"/"ok" is politeness when the rest is an answer ("dạ không"). */
function answerMatch(input: Words, heart: Words, offered: OutboundChoice[], t: Tables): OutboundChoice | undefined {
  const attempts = [input, heart];
  for (const p of t.polite) if (p.length < heart.length && indexOf(heart, p) === 0) attempts.push(heart.slice(p.length));
  for (const attempt of attempts) {
    const hits = offered.filter((c) => covered(attempt, answersOf(c.id, t)));
    if (hits.length === 1) return hits[0];
  }
  return undefined;
}

/** Some of a label's words, in order ("lua dao" → "Bị giữ ở trại lừa đảo trực tuyến"), when only one label has them. */
function partialLabel(heart: Words, offered: OutboundChoice[], t: Tables): OutboundChoice | undefined {
  if (!heart.some((w) => !t.stopwords.has(w) && !/^\d+$/.test(w)) || heart.join('').length < 3) return undefined;
  const hits = offered.filter((c) => indexOf(words(c.label), heart) >= 0);
  return hits.length === 1 ? hits[0] : undefined;
}

/** A keyword of an offered choice inside the sentence: the one that comes first, then the longest. */
function keywordMatch(input: Words, offered: OutboundChoice[], t: Tables): OutboundChoice | undefined {
  let best: { choice: OutboundChoice; at: number; length: number } | undefined;
  for (const choice of offered) {
    for (const p of t.keywords.get(choice.id) ?? []) {
      const at = indexOf(input, p);
      if (at < 0) continue;
      if (!best || at < best.at || (at === best.at && p.length > best.length)) best = { choice, at, length: p.length };
    }
  }
  return best?.choice;
}

/** Resolves typed text to one of the offered choices (see the order at the top of this file). */
export function matchChoice(text: string, offered: OutboundChoice[] | null | undefined): OutboundChoice | undefined {
  if (!offered?.length) return undefined;
  const trimmed = text.trim();
  const input = words(trimmed);
  if (!input.length) return undefined;
  const n = typedNumber(input);
  if (n !== undefined) return offered[n - 1];
  const byId = offered.find((c) => c.id === trimmed);
  if (byId) return byId;
  const t = tablesOf();
  const heart = core(input, t);
  return (
    offered.find((c) => {
      const label = words(c.label);
      return same(label, input) || same(label, heart);
    }) ??
    answerMatch(input, heart, offered, t) ??
    partialLabel(heart, offered, t) ??
    keywordMatch(input, offered, t)
  );
}

const OPEN: Partial<Record<IntentName, OpenTarget>> = { report: 'report', rights: 'rights', find_help: 'help', signs: 'signs' };

function intentEvent(intent: IntentName): FlowEvent {
  switch (intent) {
    case 'menu':
    case 'cancel':
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
    default:
      return { type: 'OPEN', flow: OPEN[intent]! };
  }
}

/** A global intent: the whole message (lead and fillers dropped) is a keyword, or an "anywhere" keyword is inside it. */
export function matchIntent(text: string): FlowEvent | undefined {
  const input = words(text);
  if (!input.length) return undefined;
  const t = tablesOf();
  const intent = t.global.get(input.join(' ')) ?? t.global.get(core(input, t).join(' ')) ?? t.anywhere.find((a) => indexOf(input, a.words) >= 0)?.intent;
  return intent ? intentEvent(intent) : undefined;
}

/** Parses "/lang en" or "/start@MyBot" into a command event; null when it is no known command. */
export function parseCommand(command: string, args = ''): FlowEvent | null {
  const name = command.replace(/^\//, '').split('@')[0]!.toLowerCase();
  const make = COMMANDS[name];
  return make ? make(args) : null;
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
      return matchIntent(trimmed) ?? { type: 'TEXT', text };
    }
  }
}
