/**
 * The service directory: ServiceEntry rows (seeded from prisma/seed/directory.json, editable by
 * staff) queried by need, group, province or a shared location, with pagination.
 * Users only ever see entries that give a direct service (`referral`), and only contact details
 * that were checked (a source and a date); every other result is acted on through a counsellor.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '../db/generated/client.js';
import type { Tx } from '../db/tx.js';
import { ABROAD, nearestProvince } from '../../flows/data/provinces.js';

export const NEEDS = ['shelter', 'legal_aid', 'health', 'psychological', 'vocational', 'reintegration', 'hotline'] as const;
export const GROUPS = ['children', 'women', 'migrant_workers', 'ethnic_minorities', 'lgbti', 'disabilities'] as const;
export const PAGE_SIZE = 4;

export interface DirectoryQuery {
  need?: string | null;
  group?: string | null;
  province?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  page?: number;
}

export interface DirectoryEntry {
  slug: string;
  nameVi: string;
  nameEn: string;
  descriptionVi: string;
  descriptionEn: string;
  services: string[];
  groups: string[];
  provinces: string[];
  national: boolean;
  phone: string | null;
  website: string | null;
  address: string | null;
  hours: string | null;
  contactSource: string | null;
  contactVerifiedAt: Date | null;
  referral: boolean;
  latitude: number | null;
  longitude: number | null;
}

/** Checked contact details a user can act on, or null when none were checked. */
export interface VerifiedContact {
  phone: string | null;
  address: string | null;
  website: string | null;
  hours: string | null;
  source: string;
  verifiedAt: Date;
}

export function verifiedContact(entry: Pick<DirectoryEntry, 'phone' | 'address' | 'website' | 'hours' | 'contactSource' | 'contactVerifiedAt'>): VerifiedContact | null {
  if (!entry.contactSource || !entry.contactVerifiedAt || !(entry.phone || entry.address || entry.website)) return null;
  return { phone: entry.phone, address: entry.address, website: entry.website, hours: entry.hours, source: entry.contactSource, verifiedAt: entry.contactVerifiedAt };
}

export interface DirectoryPage {
  entries: DirectoryEntry[];
  total: number;
  page: number;
  hasMore: boolean;
  /** The province used (typed, or nearest to a shared location). */
  province: string | null;
}

type Db = Pick<PrismaClient, 'serviceEntry'> | Tx;

/**
 * Entries with checked contacts first, then local entries (serving the province), then national
 * ones. Group filters keep entries for that group and for everyone. Someone abroad gets the
 * entries that work from abroad (citizen protection, embassies), whatever the need.
 */
export async function searchDirectory(db: Db, query: DirectoryQuery): Promise<DirectoryPage> {
  const province = query.province ?? (query.latitude != null && query.longitude != null ? nearestProvince(query.latitude, query.longitude).slug : null);
  const abroad = province === ABROAD;
  const rows = await db.serviceEntry.findMany({
    where: abroad
      ? { active: true, referral: true, provinces: { has: ABROAD } }
      : {
          active: true,
          referral: true,
          ...(query.need ? { services: { has: query.need } } : {}),
          ...(query.group ? { groups: { hasSome: [query.group, 'everyone', 'trafficking_victims'] } } : {}),
          ...(province ? { OR: [{ national: true }, { provinces: { has: province } }] } : { NOT: { provinces: { equals: [ABROAD] } } }),
        },
    orderBy: { slug: 'asc' },
  });
  const rank = (e: (typeof rows)[number]) => {
    let r = 0;
    if (verifiedContact(e)) r -= 4;
    if (province && e.provinces.includes(province)) r -= 3;
    if (query.group && e.groups.includes(query.group)) r -= 2;
    if (query.latitude != null && query.longitude != null && e.latitude != null && e.longitude != null) r -= 1;
    return r;
  };
  rows.sort((a, b) => rank(a) - rank(b) || a.slug.localeCompare(b.slug));
  const page = Math.max(0, query.page ?? 0);
  const entries = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  return { entries, total: rows.length, page, hasMore: (page + 1) * PAGE_SIZE < rows.length, province };
}

export const DIRECTORY_SEED_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/seed/directory.json');

/** Inserts seed entries whose slug is missing; never overwrites what staff edited. Returns how many were added. */
export async function seedDirectory(db: Pick<PrismaClient, 'serviceEntry'>, file = DIRECTORY_SEED_FILE): Promise<number> {
  type SeedEntry = Omit<DirectoryEntry, 'latitude' | 'longitude' | 'contactVerifiedAt'> & { active: boolean; source: string; contactVerifiedAt: string | null };
  const seed = JSON.parse(readFileSync(file, 'utf8')) as SeedEntry[];
  const { count } = await db.serviceEntry.createMany({
    data: seed.map((e) => ({ ...e, phone: e.phone ?? null, website: e.website ?? null, contactVerifiedAt: e.contactVerifiedAt ? new Date(e.contactVerifiedAt) : null })),
    skipDuplicates: true,
  });
  return count;
}
