/** What the main conversation remembers between turns (persisted in the flow snapshot). */
import type { FlowEvent } from '../types.js';
import type { SignAnswer } from '../signs/questions.js';

export interface ReportDraft {
  category?: string;
  /** What happened, in the person's own words. */
  details?: string | null;
  province?: string | null;
  country?: string | null;
  when?: string | null;
  peopleCount?: string | null;
  peopleAge?: string | null;
  peopleGender?: string | null;
  suspects?: string | null;
  contactMethod?: string | null;
  evidence?: string | null;
  inDanger?: boolean;
  contactConsent?: boolean;
  contact?: string | null;
}

export interface MainContext {
  draft: ReportDraft | null;
  provinceCandidates: string[];
  followUp: { reference?: string; reportId?: string; referenceCode?: string };
  faq: { topic?: string; id?: string; hits?: string[]; suggestion?: string; from?: 'topic' | 'search' };
  dir: { need?: string | null; group?: string | null; province?: string | null; latitude?: number | null; longitude?: number | null; page: number; hasMore?: boolean };
  signs: Record<string, SignAnswer>;
  /** Answers in a row that fit none of the current question's choices. */
  misses?: number;
}

export const initialContext = (): MainContext => ({ draft: null, provinceCandidates: [], followUp: {}, faq: {}, dir: { page: 0 }, signs: {} });

/** What guards and actions receive. */
export type Args = { context: MainContext; event: FlowEvent };

export const draftOf = (context: MainContext): ReportDraft => context.draft ?? {};
