/**
 * The default effect handlers the flows ask for by name (flows/report, rights, help: states.ts): reports,
 * FAQ search and the service directory. Each runs inside the turn's transaction and may answer
 * with a RESULT event fed back to the flow in the same turn.
 */
import type { Locale } from '../flows/types.js';
import { searchDirectory, verifiedContact, type DirectoryQuery } from './directory/index.js';
import { searchFaq } from './faq/search.js';
import { provinceName } from '../flows/data/provinces.js';
import { translate } from './i18n/index.js';
import type { AppKeys } from './privacy/secrets.js';
import { addToReport, lookupReport, submitReport, updateReport, type ReportDraft } from './reports/service.js';
import { answerFromReporter, unreadForReporter } from './reports/messages.js';
import type { EffectHandler, TurnContext } from './runtime/turn-context.js';

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** A date as people in Vietnam write it: dd/mm/yyyy in Vietnamese, "1 Dec 2026" in English (Vietnam's time zone). */
export function humanDate(date: Date, locale: Locale): string {
  return locale === 'vi'
    ? new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(date)
    : new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: 'numeric', month: 'short', year: 'numeric' }).format(date);
}

async function userHashOf(ctx: TurnContext): Promise<string> {
  const conversation = await ctx.tx.conversation.findUnique({ where: { id: ctx.conversationId }, select: { identity: { select: { userHash: true } } } });
  return conversation?.identity.userHash ?? `conversation:${ctx.conversationId}`;
}

export function createDefaultEffects(options: { keys: AppKeys }): Record<string, EffectHandler> {
  return {
    'report.submit': async (ctx, data) => {
      const draft = (data.draft ?? {}) as ReportDraft;
      if (!draft.category) return { type: 'RESULT', name: 'report.submit', ok: false };
      const report = await submitReport(ctx.tx, options.keys.encryptionKey, { draft, channel: ctx.channel, conversationId: ctx.conversationId, now: ctx.now });
      // The codes as a card of their own (easy to copy or screenshot); channels without cards show the text.
      const params = { reference: report.referenceCode, code: report.followUpCode };
      ctx.send({
        author: 'bot',
        text: translate(ctx.locale, 'report:submitted', params),
        cards: [{ title: translate(ctx.locale, 'report:codesTitle'), body: translate(ctx.locale, 'report:codesCard', params) }],
        // The secret code is shown once; what is kept of this message (sealed meanwhile) masks it once delivered.
        secrets: [report.followUpCode],
      });
      return { type: 'RESULT', name: 'report.submit', ok: true, data: { reportId: report.id, referenceCode: report.referenceCode } };
    },
    'report.update': async (ctx, data) => {
      const patch = data.patch && typeof data.patch === 'object' ? (data.patch as Record<string, unknown>) : {};
      const ok = str(data.reportId) !== '' && (await updateReport(ctx.tx, options.keys.encryptionKey, { reportId: str(data.reportId), patch, now: ctx.now }));
      if (!ok) ctx.say({ key: 'flows:effectFailed' });
    },
    'report.lookup': async (ctx, data) => {
      const result = await lookupReport(ctx.tx, { reference: str(data.reference), code: str(data.code), userHash: await userHashOf(ctx), now: ctx.now });
      // The person just typed their secret code: keep only a masked copy of that message.
      ctx.maskInbound();
      if (!result.ok) return { type: 'RESULT', name: 'report.lookup', ok: false, data: { reason: result.reason } };
      ctx.say({
        key: 'report:status',
        params: {
          reference: result.referenceCode,
          date: humanDate(result.createdAt, ctx.locale),
          status: translate(ctx.locale, `report:statusName.${result.status}`),
          next: translate(ctx.locale, `report:statusNext.${result.status}`),
          additions: translate(ctx.locale, 'report:additions', { count: result.additions }),
        },
      });
      // The hotline's messages the reporter has not seen yet (then marked read).
      const inbox = await unreadForReporter(ctx.tx, { reportId: result.reportId, locale: ctx.locale, now: ctx.now });
      if (inbox.messages.length) {
        const lines = inbox.messages.map((m) => translate(ctx.locale, 'reportmsg:message', { alias: m.alias, date: humanDate(m.createdAt, ctx.locale), text: m.text }));
        if (inbox.more) lines.push(translate(ctx.locale, 'reportmsg:more', { count: inbox.more }));
        ctx.send({ author: 'bot', text: [translate(ctx.locale, 'reportmsg:newMessages', { count: inbox.messages.length + inbox.more }), ...lines].join('\n\n') });
      }
      return { type: 'RESULT', name: 'report.lookup', ok: true, data: { reportId: result.reportId, referenceCode: result.referenceCode, newMessages: inbox.messages.length } };
    },
    'report.message': async (ctx, data) => {
      const ok = str(data.reportId) !== '' && (await answerFromReporter(ctx.tx, { reportId: str(data.reportId), text: str(data.text), channel: ctx.channel, now: ctx.now }));
      if (ok) ctx.publish?.({ type: 'report.message', reportId: str(data.reportId), author: 'reporter' });
      return { type: 'RESULT', name: 'report.message', ok };
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
      // Every result gives a way to act: its checked contact, or a counsellor who connects the person.
      const cards = page.entries.map((e) => {
        const contact = verifiedContact(e);
        const lines = [locale === 'vi' ? e.descriptionVi : e.descriptionEn];
        if (contact) {
          if (contact.phone) lines.push(`☎ ${contact.phone}${contact.hours ? ` · ${contact.hours}` : ''}`);
          if (contact.address) lines.push(`📍 ${contact.address}`);
          if (contact.website) lines.push(`🌐 ${contact.website}`);
          lines.push(translate(locale, 'help:checked', { source: contact.source, date: humanDate(contact.verifiedAt, locale) }));
        } else {
          lines.push(translate(locale, 'help:viaCounsellor'));
        }
        return { title: locale === 'vi' ? e.nameVi : e.nameEn, body: lines.join('\n'), ...(contact ? {} : { choiceId: `connect.${e.slug}`, action: translate(locale, 'help:connect') }) };
      });
      const where = page.province ? (page.province === 'abroad' ? translate(locale, 'help:abroadShort') : provinceName(page.province, locale)) : translate(locale, 'help:nationwide');
      const header = translate(locale, 'help:resultsHeader', { from: page.page * 4 + 1, to: page.page * 4 + page.entries.length, total: page.total, where });
      ctx.send({ author: 'bot', text: [header, ...cards.map((c) => `• ${c.title}\n${c.body}`)].join('\n\n'), cards });
      return { type: 'RESULT', name: 'directory.search', ok: true, data: { hasMore: page.hasMore, total: page.total } };
    },
  };
}
