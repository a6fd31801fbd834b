/**
 * "Your rights": FAQ topics, typed questions searched (the `faq.search` effect), answers.
 * Pure: i18n keys and ids only.
 */
import { assign } from 'xstate';
import type { ChoiceSpec, FlowEvent } from '../types.js';
import type { Args } from '../main/context.js';
import { COUNSELLOR_CHOICE, NAV, ask, chose, choseIn, effect, reply, resultOf, suffix, textOf, waiting, withNav } from '../kit.js';
import { FAQ_TOPICS, topicOf } from './catalog.js';

const TOPIC_CHOICES: ChoiceSpec[] = Object.keys(FAQ_TOPICS).map((t) => ({ id: `topic.${t}`, key: `rights:topic.${t}` }));
const SEARCH_CHOICE: ChoiceSpec = { id: 'rights.search', key: 'rights:searchButton' };
const faqChoice = (id: string): ChoiceSpec => ({ id: `faq.${id}`, key: `faq:items.${id}.q` });
const searchFor = (query: (a: Args) => string) => effect('faq.search', (a) => ({ query: query(a) }));
const openAnswer = (from: 'topic' | 'search') =>
  assign({ faq: ({ context, event }: Args) => ({ ...context.faq, id: suffix(event), topic: topicOf(suffix(event)) ?? context.faq.topic, from }) } as any);
const searchResult = (event: FlowEvent) => resultOf(event, 'faq.search')?.data as { hits?: string[]; confident?: boolean; suggestion?: string } | undefined;

export const rightsStates = {
  id: 'rights',
  initial: 'topics',
  states: {
    topics: ask({
      prompt: reply('rights:prompt', withNav([...TOPIC_CHOICES, SEARCH_CHOICE])),
      back: '#main.menu',
      choice: [
        { guard: choseIn('topic'), target: 'topic', actions: assign({ faq: ({ event }: Args) => ({ topic: suffix(event) }) } as any) },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    topic: ask({
      prompt: ({ context }) => reply('rights:topicPrompt', withNav((FAQ_TOPICS[context.faq.topic ?? ''] ?? []).map(faqChoice), [SEARCH_CHOICE])),
      back: 'topics',
      choice: [
        { guard: choseIn('faq'), target: 'answer', actions: openAnswer('topic') },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    searchAsk: ask({
      prompt: reply('rights:askQuestion', NAV),
      back: 'topics',
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    searching: waiting({
      entry: [],
      back: 'topics',
      result: [
        {
          guard: ({ event }: Args) => Boolean(searchResult(event)?.confident && searchResult(event)?.hits?.length),
          target: 'answer',
          actions: assign({ faq: ({ context, event }: Args) => ({ ...context.faq, id: searchResult(event)!.hits![0], topic: topicOf(searchResult(event)!.hits![0]!), hits: searchResult(event)!.hits, from: 'search' }) } as any),
        },
        {
          guard: ({ event }: Args) => Boolean(searchResult(event)?.hits?.length),
          target: 'results',
          actions: assign({ faq: ({ context, event }: Args) => ({ ...context.faq, hits: searchResult(event)!.hits }) } as any),
        },
        {
          target: 'noResult',
          actions: assign({ faq: ({ context, event }: Args) => ({ ...context.faq, hits: [], suggestion: searchResult(event)?.suggestion }) } as any),
        },
      ],
    }),
    results: ask({
      prompt: ({ context }) => reply('rights:results', [...(context.faq.hits ?? []).map(faqChoice), { id: 'rights.search', key: 'rights:searchAgain' }, COUNSELLOR_CHOICE, ...NAV]),
      back: 'searchAsk',
      choice: [
        { guard: choseIn('faq'), target: 'answer', actions: openAnswer('search') },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    noResult: ask({
      prompt: ({ context }) =>
        context.faq.suggestion
          ? reply('rights:didYouMean', [{ id: 'rights.suggestion', key: 'rights:suggestionButton', params: { suggestion: context.faq.suggestion } }, { id: 'rights.search', key: 'rights:searchAgain' }, COUNSELLOR_CHOICE, ...NAV], { suggestion: context.faq.suggestion })
          : reply('rights:noResult', [{ id: 'rights.search', key: 'rights:searchAgain' }, { id: 'rights.topics', key: 'rights:browseTopics' }, COUNSELLOR_CHOICE, ...NAV]),
      back: 'topics',
      choice: [
        { guard: chose('rights.suggestion'), target: 'searching', actions: searchFor(({ context }) => context.faq.suggestion ?? '') },
        { guard: chose('rights.search'), target: 'searchAsk' },
        { guard: chose('rights.topics'), target: 'topics' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    answer: ask({
      prompt: ({ context }) =>
        reply(`faq:items.${context.faq.id}.a`, [
          { id: 'rights.more', key: 'rights:moreOnTopic' },
          { id: 'rights.search', key: 'rights:searchButton' },
          COUNSELLOR_CHOICE,
          ...NAV,
        ]),
      back: 'topic',
      choice: [
        { guard: chose('rights.more'), target: 'topic' },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
  },
};
