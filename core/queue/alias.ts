/**
 * What users see of a counsellor: a display alias ("Tư vấn viên Lan"), never the account's name or
 * email. An admin sets the first name shown; without one, a neutral "Tư vấn viên 111".
 */
import type { Locale } from '../../flows/types.js';
import type { Db } from '../db/client.js';
import type { Tx } from '../db/tx.js';
import { translate } from '../i18n/index.js';

/** A first name as users may see it: letters (any script, with their accents), spaces, apostrophes and hyphens; 1–30 characters. */
export const ALIAS_PATTERN = /^\p{L}[\p{L}\p{M} '’-]{0,29}$/u;

/** The alias as shown to a user in their language. */
export function aliasShown(locale: Locale, alias: string | null | undefined): string {
  const name = alias?.trim();
  return name ? translate(locale, 'wrapup:alias.named', { name }) : translate(locale, 'wrapup:alias.neutral');
}

/** The alias of a staff account (null when none was set, or no such account). */
export async function aliasOf(db: Db | Tx, staffId: string | null | undefined): Promise<string | null> {
  if (!staffId) return null;
  const row = await db.staffUser.findUnique({ where: { id: staffId }, select: { alias: true } });
  return row?.alias ?? null;
}
