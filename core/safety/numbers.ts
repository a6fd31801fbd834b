/**
 * The phone numbers the product shows, from one data file (emergency-numbers.json) with each
 * number's source and check date. Only verified numbers are ever returned.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const entrySchema = z.object({
  id: z.string().min(1),
  number: z.string().min(3),
  dial: z.string().regex(/^\+?\d{3,15}$/),
  /** "vn" (works inside Vietnam), "abroad" (works from any country), or an ISO country code. */
  where: z.union([z.literal('vn'), z.literal('abroad'), z.string().regex(/^[A-Z]{2}$/)]),
  labelKey: z.string().min(1),
  verified: z.boolean(),
  source: z.string().min(10),
  checkedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

export type EmergencyNumber = z.infer<typeof entrySchema>;

const fileSchema = z.object({ numbers: z.array(entrySchema).min(1) });

let cached: EmergencyNumber[] | undefined;

/** Every entry of the data file, verified or not (for tests and reviews). */
export function allNumbers(): EmergencyNumber[] {
  cached ??= fileSchema.parse(JSON.parse(readFileSync(new URL('./emergency-numbers.json', import.meta.url), 'utf8'))).numbers;
  return cached;
}

/** A verified number by id; throws when it is missing or unverified (a programming error). */
export function verifiedNumber(id: string): EmergencyNumber {
  const entry = allNumbers().find((n) => n.id === id && n.verified);
  if (!entry) throw new Error(`no verified number "${id}" in core/safety/emergency-numbers.json`);
  return entry;
}

/** The verified embassy (or other country-specific) line for a country, when there is one. */
export function verifiedCountryLine(country: string | undefined): EmergencyNumber | undefined {
  if (!country) return undefined;
  return allNumbers().find((n) => n.where === country && n.verified);
}

/**
 * The numbers texts name as {{police}}, {{ambulance}}, {{hotline}}, {{mofa}}, {{embassyMM}}: filled
 * in from this file when the locales load (core/i18n), so no text carries a number of its own.
 */
export function numberVariables(): Record<string, string> {
  return {
    hotline: verifiedNumber('hotline_111').number,
    police: verifiedNumber('police_113').number,
    ambulance: verifiedNumber('ambulance_115').number,
    mofa: verifiedNumber('mofa_citizen_protection').number,
    embassyMM: verifiedNumber('embassy_myanmar').number,
  };
}
