/**
 * Supervisor records: anonymous reports (decrypted only for supervisors and admins, every read
 * audited; status changes the reporter sees through the follow-up code; a printable referral
 * summary), the dashboard with a CSV export of aggregates only, and the service directory.
 */
import type { FastifyInstance } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import { translate } from '../../core/i18n/index.js';
import { decryptJson, type ReportKeys } from '../../core/reports/crypto.js';
import { dashboardFigures } from '../../core/stats/dashboard.js';
import { threadSummaries } from '../../core/reports/messages.js';
import { csp, PRINT_CSP } from '../../core/http/security-headers.js';
import { audit } from '../audit.js';
import * as words from '../report-words.js';
import { staffOf, type makeGuard } from '../auth/guard.js';
import { parse } from './auth.js';

const idParam = z.object({ id: z.string().uuid() });
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function range(query: { from?: string; to?: string }): { from: Date; to: Date } {
  const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
  const to = query.to ? new Date(`${parse(day, query.to)}T00:00:00Z`) : new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const end = new Date(to.getTime() + 24 * 3600_000);
  const from = query.from ? new Date(`${parse(day, query.from)}T00:00:00Z`) : new Date(end.getTime() - 30 * 24 * 3600_000);
  if (!(from < end) || end.getTime() - from.getTime() > 366 * 24 * 3600_000) throw new AppError('BAD_INPUT', 'from must be before to, within a year', 400);
  return { from, to: end };
}

export function recordRoutes(server: FastifyInstance, deps: { db: Db; guard: ReturnType<typeof makeGuard>; encryptionKey: ReportKeys }): void {
  const { db, guard } = deps;
  const readReport = async (id: string) => {
    const report = await db.report.findUnique({ where: { id }, include: { additions: { orderBy: { createdAt: 'asc' } } } });
    if (!report) throw new AppError('NOT_FOUND', 'no such report', 404);
    const body = decryptJson<Record<string, unknown>>(deps.encryptionKey, report.encryptedPayload, report.referenceCode);
    const additions = report.additions.map((a) => ({ createdAt: a.createdAt, ...decryptJson<{ text: string }>(deps.encryptionKey, a.encryptedPayload, report.referenceCode) }));
    const { encryptedPayload: _sealed, followUpHash: _hash, additions: _rows, ...meta } = report;
    return { ...meta, body, additions };
  };

  server.get<{ Querystring: { status?: string } }>('/console/api/reports', { preHandler: guard('supervisor') }, async (request) => {
    const status = request.query.status ? parse(z.enum(['received', 'referred', 'closed']), request.query.status) : undefined;
    const reports = await db.report.findMany({
      where: status ? { status } : {},
      orderBy: { createdAt: 'desc' },
      take: 200,
      select: { id: true, referenceCode: true, category: true, province: true, country: true, inDanger: true, referralTargets: true, status: true, channel: true, createdAt: true, updatedAt: true },
    });
    // The thread with the reporter, in figures only (core/reports/messages.ts).
    const threads = await threadSummaries(db, reports.map((r) => r.id));
    return reports.map((r) => ({ ...r, messages: threads.get(r.id) ?? { total: 0, fromReporter: 0, lastFromReporterAt: null, awaitingAnswer: false } }));
  });

  server.get<{ Params: { id: string } }>('/console/api/reports/:id', { preHandler: guard('supervisor') }, async (request) => {
    const { id } = parse(idParam, request.params);
    const report = await readReport(id);
    await audit(db, { actorId: staffOf(request).id, action: 'report.read', subjectType: 'report', subjectId: id });
    return report;
  });

  server.post<{ Params: { id: string } }>('/console/api/reports/:id/status', { preHandler: guard('supervisor') }, async (request) => {
    const { id } = parse(idParam, request.params);
    const { status } = parse(z.object({ status: z.enum(['received', 'referred', 'closed']) }), request.body);
    const report = await db.report.findUnique({ where: { id }, select: { id: true, status: true } });
    if (!report) throw new AppError('NOT_FOUND', 'no such report', 404);
    await db.report.update({ where: { id }, data: { status } });
    await audit(db, { actorId: staffOf(request).id, action: 'report.status', subjectType: 'report', subjectId: id, detail: { from: report.status, to: status } });
    return { id, status };
  });

  // A printable referral summary for the competent authority (the browser's print dialog makes the PDF).
  server.get<{ Params: { id: string }; Querystring: { lang?: string } }>('/console/reports/:id/referral', { preHandler: guard('supervisor'), helmet: csp(PRINT_CSP) }, async (request, reply) => {
    const { id } = parse(idParam, request.params);
    const lng = request.query.lang === 'en' ? 'en' : 'vi';
    const t = (key: string) => escapeHtml(translate(lng, `console:referral.${key}`));
    const report = await readReport(id);
    await audit(db, { actorId: staffOf(request).id, action: 'report.referral', subjectType: 'report', subjectId: id });
    // Every field and answer in words (console/report-words.ts): no internal id reaches an authority.
    const rows = words
      .fieldRows(lng, report.body)
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join('');
    const additions = report.additions.map((a) => `<li>${escapeHtml(words.dateWords(lng, new Date(a.createdAt), true))}: ${escapeHtml(a.text)}</li>`).join('');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="${lng}"><head><meta charset="utf-8"><title>${t('title')} ${escapeHtml(report.referenceCode)}</title>
<style>body{font:14px/1.4 serif;margin:2cm}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px;text-align:left;vertical-align:top}th{width:30%}@media print{.noprint{display:none}}</style></head>
<body><h1>${t('title')}</h1><p>${t('intro')}</p>
<table><tr><th>${t('reference')}</th><td>${escapeHtml(report.referenceCode)}</td></tr><tr><th>${t('received')}</th><td>${escapeHtml(words.dateWords(lng, report.createdAt))}</td></tr>
<tr><th>${t('category')}</th><td>${escapeHtml(words.categoryWords(lng, report.category))}</td></tr><tr><th>${t('place')}</th><td>${escapeHtml([report.province, report.country].filter(Boolean).map((p) => words.placeWords(lng, p)).join(', '))}</td></tr>
<tr><th>${t('authorities')}</th><td>${escapeHtml(words.authorityWords(lng, report.referralTargets))}</td></tr><tr><th>${t('inDanger')}</th><td>${report.inDanger ? '✔' : '—'}</td></tr>${rows}</table>
${additions ? `<h2>${t('additions')}</h2><ul>${additions}</ul>` : ''}<p>${t('footer')}</p></body></html>`);
  });

  server.get<{ Querystring: { from?: string; to?: string } }>('/console/api/dashboard', { preHandler: guard('supervisor') }, async (request) => {
    const { from, to } = range(request.query);
    return dashboardFigures(db, from, to);
  });

  server.get<{ Querystring: { from?: string; to?: string } }>('/console/api/dashboard.csv', { preHandler: guard('supervisor') }, async (request, reply) => {
    const { from, to } = range(request.query);
    const figures = await dashboardFigures(db, from, to);
    await audit(db, { actorId: staffOf(request).id, action: 'dashboard.export', subjectType: 'export', detail: { from: figures.from, to: figures.to } });
    const csv = stringify(
      figures.days.map((d) => [d.day, d.channel, d.contacts, d.information, d.advice, d.wrappedInformation, d.wrappedReport, d.wrappedAdvice, d.followUpNeeded, d.surveyYes, d.surveyPartly, d.surveyNo]),
      {
        header: true,
        columns: ['day', 'channel', 'contacts', 'information_or_report', 'advice', 'wrapped_information', 'wrapped_report', 'wrapped_advice', 'follow_up_needed', 'survey_yes', 'survey_partly', 'survey_no'],
      },
    );
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="hotline111-${figures.from}-${figures.to}.csv"`).send(csv);
  });

  const entryBody = z.object({
    nameVi: z.string().trim().min(2).max(200),
    nameEn: z.string().trim().min(2).max(200),
    descriptionVi: z.string().trim().max(2000),
    descriptionEn: z.string().trim().max(2000),
    services: z.array(z.enum(['shelter', 'legal_aid', 'health', 'psychological', 'vocational', 'reintegration', 'hotline', 'awareness', 'reporting'])).min(1),
    groups: z.array(z.enum(['children', 'women', 'migrant_workers', 'ethnic_minorities', 'lgbti', 'disabilities', 'trafficking_victims', 'youth', 'everyone'])).min(1),
    provinces: z.array(z.string().regex(/^[a-z-]+$/)).max(34),
    national: z.boolean(),
    phone: z.string().trim().max(40).regex(/^[0-9 +().-]*$/, 'digits, spaces and + ( ) . - only').nullable(),
    website: z.string().trim().url().max(300).nullable(),
    active: z.boolean(),
    // Contact details are shown to users only with a source and a check date; without them a counsellor connects people.
    address: z.string().trim().max(300).nullable().optional(),
    hours: z.string().trim().max(120).nullable().optional(),
    contactSource: z.string().trim().max(300).nullable().optional(),
    contactVerifiedAt: z.iso.date().nullable().optional(),
    /** False: gives no direct service (ministry, court, donor, campaign, committee, ended project); never in users' results. */
    referral: z.boolean().optional(),
  });
  /** The body as Prisma data: a check date as a Date; an empty source or date means "not checked". */
  const entryData = (input: z.infer<typeof entryBody>) => ({
    ...input,
    ...(input.contactVerifiedAt !== undefined ? { contactVerifiedAt: input.contactVerifiedAt ? new Date(`${input.contactVerifiedAt}T00:00:00Z`) : null } : {}),
  });

  server.get('/console/api/directory', { preHandler: guard('supervisor') }, async () => db.serviceEntry.findMany({ orderBy: { nameVi: 'asc' } }));

  server.put<{ Params: { id: string } }>('/console/api/directory/:id', { preHandler: guard('supervisor') }, async (request) => {
    const { id } = parse(idParam, request.params);
    const input = parse(entryBody, request.body);
    if (!(await db.serviceEntry.findUnique({ where: { id } }))) throw new AppError('NOT_FOUND', 'no such entry', 404);
    const entry = await db.serviceEntry.update({ where: { id }, data: { ...entryData(input), source: `staff:${new Date().toISOString().slice(0, 10)}` } });
    await audit(db, { actorId: staffOf(request).id, action: 'directory.update', subjectType: 'directory', subjectId: id });
    return entry;
  });

  server.post('/console/api/directory', { preHandler: guard('supervisor') }, async (request, reply) => {
    const input = parse(entryBody, request.body);
    const slug = `${input.nameEn.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}-${Date.now().toString(36)}`;
    const entry = await db.serviceEntry.create({ data: { ...entryData(input), slug, source: `staff:${new Date().toISOString().slice(0, 10)}` } });
    await audit(db, { actorId: staffOf(request).id, action: 'directory.create', subjectType: 'directory', subjectId: entry.id });
    return reply.status(201).send(entry);
  });
}
