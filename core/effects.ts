/**
 * The default effect handlers the flows ask for by name (flows/main/machine.ts): reports,
 * FAQ search and the service directory. Each runs inside the turn's transaction and may answer
 * with a RESULT event fed back to the flow in the same turn.
 */
import type { Locale } from '../flows/types.js';
import { searchDirectory, type DirectoryQuery } from './directory/index.js';
import { searchFaq } from './faq/search.js';
import { provinceName } from '../flows/data/provinces.js';
import { translate } from './i18n/index.js';
import type { AppKeys } from './privacy/secrets.js';
import { addToReport, lookupReport, submitReport, type ReportDraft } from './reports/service.js';
import type { EffectHandler, TurnContext } from './runtime/turn-context.js';

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** A label for a stored draft value: an option's translation when it is one, else what the person wrote. */
function label(locale: Locale, group: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return translate(locale, 'report:notGiven');
  if (!/^[A-Za-z_]+$/.test(value)) return value;
  const key = `report:${group}.${value}`;
  const text = translate(locale, key);
  return text === key || text === `${group}.${value}` ? value : text;
}

function placeLabel(locale: Locale, draft: ReportDraft): string {
  if (draft.province === 'abroad') return `${translate(locale, 'report:place.abroad')}${draft.country ? ` (${label(locale, 'country', draft.country)})` : ''}`;
  return draft.province ? provinceName(draft.province, locale) : translate(locale, 'report:notGiven');
}

function summaryText(locale: Locale, draft: ReportDraft): string {
  return translate(locale, 'report:summary', {
    category: label(locale, 'category', draft.category),
    place: placeLabel(locale, draft),
    when: label(locale, 'when', draft.when),
    people: [label(locale, 'peopleCount', draft.peopleCount), label(locale, 'peopleAge', draft.peopleAge), label(locale, 'peopleGender', draft.peopleGender)].join(', '),
    suspects: label(locale, 'x', draft.suspects),
    contactMethod: label(locale, 'contactMethod', draft.contactMethod),
    evidence: label(locale, 'x', draft.evidence),
    danger: translate(locale, draft.inDanger ? 'flows:yes' : 'flows:no'),
    contact: draft.contactConsent && draft.contact ? draft.contact : translate(locale, 'report:noContact'),
  });
}

async function userHashOf(ctx: TurnContext): Promise<string> {
  const conversation = await ctx.tx.conversation.findUnique({ where: { id: ctx.conversationId }, select: { identity: { select: { userHash: true } } } });
  return conversation?.identity.userHash ?? `conversation:${ctx.conversationId}`;
}

export function createDefaultEffects(options: { keys: AppKeys }): Record<string, EffectHandler> {
  return {
    'report.summary': async (ctx, data) => {
      ctx.say({ key: 'flows:raw', params: { text: summaryText(ctx.locale, (data.draft ?? {}) as ReportDraft) } });
    },
    'report.submit': async (ctx, data) => {
      const draft = (data.draft ?? {}) as ReportDraft;
      if (!draft.category) return { type: 'RESULT', name: 'report.submit', ok: false };
      const report = await submitReport(ctx.tx, options.keys.encryptionKey, { draft, channel: ctx.channel, conversationId: ctx.conversationId, now: ctx.now });
      ctx.say({ key: 'report:submitted', params: { reference: report.referenceCode, code: report.followUpCode } });
      return { type: 'RESULT', name: 'report.submit', ok: true, data: { referenceCode: report.referenceCode } };
    },
    'report.lookup': async (ctx, data) => {
      const result = await lookupReport(ctx.tx, { reference: str(data.reference), code: str(data.code), userHash: await userHashOf(ctx), now: ctx.now });
      if (!result.ok) return { type: 'RESULT', name: 'report.lookup', ok: false, data: { reason: result.reason } };
      ctx.say({
        key: 'report:status',
        params: {
          reference: result.referenceCode,
          status: translate(ctx.locale, `report:statusName.${result.status}`),
          date: result.createdAt.toISOString().slice(0, 10),
          additions: result.additions,
        },
      });
      return { type: 'RESULT', name: 'report.lookup', ok: true, data: { reportId: result.reportId, referenceCode: result.referenceCode } };
    },
    'report.add': async (ctx, data) => {
      const ok = str(data.reportId) !== '' && (await addToReport(ctx.tx, options.keys.encryptionKey, { reportId: str(data.reportId), text: str(data.text), channel: ctx.channel, now: ctx.now }));
      return { type: 'RESULT', name: 'report.add', ok };
    },
    'faq.search': async (ctx, data) => {
      const result = searchFaq(str(data.query), ctx.locale);
      return {
        type: 'RESULT',
        name: 'faq.search',
        ok: true,
        data: { hits: result.hits.map((h) => h.id), confident: result.confident, ...(result.suggestion ? { suggestion: result.suggestion } : {}) },
      };
    },
    'directory.search': async (ctx, data) => {
      const query = data as DirectoryQuery;
      const page = await searchDirectory(ctx.tx, query);
      const locale = ctx.locale;
      if (!page.entries.length) {
        ctx.say({ key: 'help:noResults' });
        return { type: 'RESULT', name: 'directory.search', ok: true, data: { hasMore: false, total: 0 } };
      }
      const cards = page.entries.map((e) => ({
        title: locale === 'vi' ? e.nameVi : e.nameEn,
        body: [locale === 'vi' ? e.descriptionVi : e.descriptionEn, e.phone ? `☎ ${e.phone}` : '', e.website ?? ''].filter(Boolean).join('\n'),
      }));
      const where = page.province ? (page.province === 'abroad' ? translate(locale, 'report:place.abroad') : provinceName(page.province, locale)) : translate(locale, 'help:nationwide');
      const header = translate(locale, 'help:resultsHeader', { from: page.page * 4 + 1, to: page.page * 4 + page.entries.length, total: page.total, where });
      ctx.send({ author: 'bot', text: [header, ...cards.map((c) => `• ${c.title}\n${c.body}`)].join('\n\n'), cards });
      return { type: 'RESULT', name: 'directory.search', ok: true, data: { hasMore: page.hasMore, total: page.total } };
    },
  };
}
