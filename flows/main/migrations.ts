/**
 * Snapshot migrations of the main flow, keyed by the version they upgrade from (see
 * FlowDefinition.migrations). A conversation saved by an older version carries on where it can.
 */

/** Report states that version 2 removed (the long report became essentials first, details after saving). */
const REPORT_STATES_REMOVED_IN_2 = new Set([
  'category', 'when', 'peopleCount', 'peopleAge', 'peopleGender', 'suspects', 'contactMethod', 'evidence',
  'contactConsent', 'contactDetails', 'summary', 'editPick', 'placeDone',
]);

interface PersistedSnapshot {
  value?: unknown;
  context?: { draft?: { category?: string } | null; editing?: boolean } & Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * 1 → 2: someone in the middle of a removed report question is asked whether to carry on with the
 * draft (which then resumes at its first missing essential) or start again; "category" becomes
 * the first question ("intro"). The draft itself is kept as it was.
 */
function from1(snapshot: unknown): unknown {
  const snap = snapshot as PersistedSnapshot;
  const value = snap.value as { report?: unknown } | string | undefined;
  const context = { ...(snap.context ?? {}) };
  delete context.editing;
  let next = value;
  if (value && typeof value === 'object' && typeof value.report === 'string' && REPORT_STATES_REMOVED_IN_2.has(value.report)) {
    next = { report: value.report !== 'category' && context.draft?.category ? 'draftFound' : 'intro' };
  }
  return { ...snap, value: next, context };
}

export const mainMigrations: Record<number, (snapshot: unknown) => unknown> = { 1: from1 };
