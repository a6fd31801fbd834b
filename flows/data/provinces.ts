/**
 * The 34 provincial-level units of Vietnam from 1 July 2025 (../shared/vn-facts.md section 3), with
 * every one of the 63 pre-2025 names and common abbreviations as aliases, so people can type the
 * name they know ("Ha Giang", "Binh Duong", "BRVT", "Saigon"). Pure data and matching; no I/O.
 * Coordinates are the approximate centre of each unit's seat, used only to pick the nearest unit
 * for a shared location.
 */
import { fold } from '../../text/fold.js';
import { foreignPlace } from './places.js';

export interface Province {
  slug: string;
  vi: string;
  en: string;
  /** Former units and other names, in any spelling; folded before matching. */
  aliases: string[];
  lat: number;
  lon: number;
  border?: ('china' | 'laos' | 'cambodia')[];
  coastal?: boolean;
}

export const ABROAD = 'abroad';

export const PROVINCES: readonly Province[] = [
  { slug: 'ha-noi', vi: 'Hà Nội', en: 'Hanoi', aliases: ['Hà Nội', 'Ha Noi', 'Hanoi', 'HN', 'Thủ đô'], lat: 21.03, lon: 105.85 },
  { slug: 'hue', vi: 'Huế', en: 'Hue', aliases: ['Thừa Thiên Huế', 'Thua Thien Hue', 'TT Huế', 'TTH'], lat: 16.46, lon: 107.59, border: ['laos'], coastal: true },
  { slug: 'lai-chau', vi: 'Lai Châu', en: 'Lai Chau', aliases: ['Lai Châu'], lat: 22.4, lon: 103.46, border: ['china'] },
  { slug: 'dien-bien', vi: 'Điện Biên', en: 'Dien Bien', aliases: ['Điện Biên', 'Dien Bien Phu'], lat: 21.39, lon: 103.02, border: ['china', 'laos'] },
  { slug: 'son-la', vi: 'Sơn La', en: 'Son La', aliases: ['Sơn La'], lat: 21.33, lon: 103.91, border: ['laos'] },
  { slug: 'lang-son', vi: 'Lạng Sơn', en: 'Lang Son', aliases: ['Lạng Sơn'], lat: 21.85, lon: 106.76, border: ['china'] },
  { slug: 'quang-ninh', vi: 'Quảng Ninh', en: 'Quang Ninh', aliases: ['Quảng Ninh', 'Hạ Long', 'Móng Cái'], lat: 20.95, lon: 107.08, border: ['china'], coastal: true },
  { slug: 'thanh-hoa', vi: 'Thanh Hóa', en: 'Thanh Hoa', aliases: ['Thanh Hóa', 'Thanh Hoá'], lat: 19.81, lon: 105.78, border: ['laos'], coastal: true },
  { slug: 'nghe-an', vi: 'Nghệ An', en: 'Nghe An', aliases: ['Nghệ An', 'Vinh'], lat: 18.68, lon: 105.68, border: ['laos'], coastal: true },
  { slug: 'ha-tinh', vi: 'Hà Tĩnh', en: 'Ha Tinh', aliases: ['Hà Tĩnh'], lat: 18.34, lon: 105.91, border: ['laos'], coastal: true },
  { slug: 'cao-bang', vi: 'Cao Bằng', en: 'Cao Bang', aliases: ['Cao Bằng'], lat: 22.67, lon: 106.26, border: ['china'] },
  { slug: 'tuyen-quang', vi: 'Tuyên Quang', en: 'Tuyen Quang', aliases: ['Tuyên Quang', 'Hà Giang', 'Ha Giang'], lat: 21.82, lon: 105.21, border: ['china'] },
  { slug: 'lao-cai', vi: 'Lào Cai', en: 'Lao Cai', aliases: ['Lào Cai', 'Yên Bái', 'Yen Bai', 'Sa Pa', 'Sapa'], lat: 21.72, lon: 104.91, border: ['china'] },
  { slug: 'thai-nguyen', vi: 'Thái Nguyên', en: 'Thai Nguyen', aliases: ['Thái Nguyên', 'Bắc Kạn', 'Bắc Cạn', 'Bac Kan'], lat: 21.59, lon: 105.85 },
  { slug: 'phu-tho', vi: 'Phú Thọ', en: 'Phu Tho', aliases: ['Phú Thọ', 'Vĩnh Phúc', 'Vinh Phuc', 'Hòa Bình', 'Hoà Bình', 'Hoa Binh', 'Việt Trì'], lat: 21.32, lon: 105.4 },
  { slug: 'bac-ninh', vi: 'Bắc Ninh', en: 'Bac Ninh', aliases: ['Bắc Ninh', 'Bắc Giang', 'Bac Giang'], lat: 21.27, lon: 106.19 },
  { slug: 'hung-yen', vi: 'Hưng Yên', en: 'Hung Yen', aliases: ['Hưng Yên', 'Thái Bình', 'Thai Binh'], lat: 20.65, lon: 106.05, coastal: true },
  { slug: 'hai-phong', vi: 'Hải Phòng', en: 'Hai Phong', aliases: ['Hải Phòng', 'Haiphong', 'HP', 'Hải Dương', 'Hai Duong'], lat: 20.84, lon: 106.69, coastal: true },
  { slug: 'ninh-binh', vi: 'Ninh Bình', en: 'Ninh Binh', aliases: ['Ninh Bình', 'Hà Nam', 'Ha Nam', 'Nam Định', 'Nam Dinh'], lat: 20.25, lon: 105.97, coastal: true },
  { slug: 'quang-tri', vi: 'Quảng Trị', en: 'Quang Tri', aliases: ['Quảng Trị', 'Quảng Bình', 'Quang Binh', 'Đồng Hới'], lat: 17.47, lon: 106.62, border: ['laos'], coastal: true },
  { slug: 'da-nang', vi: 'Đà Nẵng', en: 'Da Nang', aliases: ['Đà Nẵng', 'Danang', 'Quảng Nam', 'Quang Nam', 'Hội An'], lat: 16.05, lon: 108.21, border: ['laos'], coastal: true },
  { slug: 'quang-ngai', vi: 'Quảng Ngãi', en: 'Quang Ngai', aliases: ['Quảng Ngãi', 'Kon Tum', 'Kontum'], lat: 15.12, lon: 108.8, border: ['laos', 'cambodia'], coastal: true },
  { slug: 'gia-lai', vi: 'Gia Lai', en: 'Gia Lai', aliases: ['Gia Lai', 'Bình Định', 'Binh Dinh', 'Quy Nhơn', 'Pleiku'], lat: 13.78, lon: 109.22, border: ['cambodia'], coastal: true },
  { slug: 'khanh-hoa', vi: 'Khánh Hòa', en: 'Khanh Hoa', aliases: ['Khánh Hòa', 'Khánh Hoà', 'Ninh Thuận', 'Ninh Thuan', 'Nha Trang'], lat: 12.24, lon: 109.19, coastal: true },
  { slug: 'lam-dong', vi: 'Lâm Đồng', en: 'Lam Dong', aliases: ['Lâm Đồng', 'Đắk Nông', 'Đắc Nông', 'Dak Nong', 'Daknong', 'Bình Thuận', 'Binh Thuan', 'Đà Lạt', 'Da Lat', 'Dalat'], lat: 11.94, lon: 108.44, border: ['cambodia'], coastal: true },
  { slug: 'dak-lak', vi: 'Đắk Lắk', en: 'Dak Lak', aliases: ['Đắk Lắk', 'Đắc Lắc', 'Dak Lak', 'Daklak', 'Phú Yên', 'Phu Yen', 'Buôn Ma Thuột'], lat: 12.67, lon: 108.04, border: ['cambodia'], coastal: true },
  { slug: 'ho-chi-minh', vi: 'TP. Hồ Chí Minh', en: 'Ho Chi Minh City', aliases: ['Hồ Chí Minh', 'TP Hồ Chí Minh', 'Thành phố Hồ Chí Minh', 'HCM', 'TPHCM', 'TP HCM', 'HCMC', 'Sài Gòn', 'Saigon', 'SG', 'Bình Dương', 'Binh Duong', 'Bà Rịa Vũng Tàu', 'Bà Rịa - Vũng Tàu', 'Ba Ria Vung Tau', 'Vũng Tàu', 'Vung Tau', 'BRVT'], lat: 10.78, lon: 106.7, coastal: true },
  { slug: 'dong-nai', vi: 'Đồng Nai', en: 'Dong Nai', aliases: ['Đồng Nai', 'Bình Phước', 'Binh Phuoc', 'Biên Hòa'], lat: 10.95, lon: 106.82, border: ['cambodia'] },
  { slug: 'tay-ninh', vi: 'Tây Ninh', en: 'Tay Ninh', aliases: ['Tây Ninh', 'Long An', 'Tân An'], lat: 10.54, lon: 106.41, border: ['cambodia'], coastal: true },
  { slug: 'can-tho', vi: 'Cần Thơ', en: 'Can Tho', aliases: ['Cần Thơ', 'CT', 'Sóc Trăng', 'Soc Trang', 'Hậu Giang', 'Hau Giang'], lat: 10.03, lon: 105.78, coastal: true },
  { slug: 'vinh-long', vi: 'Vĩnh Long', en: 'Vinh Long', aliases: ['Vĩnh Long', 'Bến Tre', 'Ben Tre', 'Trà Vinh', 'Tra Vinh'], lat: 10.25, lon: 105.97, coastal: true },
  { slug: 'dong-thap', vi: 'Đồng Tháp', en: 'Dong Thap', aliases: ['Đồng Tháp', 'Tiền Giang', 'Tien Giang', 'Mỹ Tho'], lat: 10.36, lon: 106.36, border: ['cambodia'], coastal: true },
  { slug: 'ca-mau', vi: 'Cà Mau', en: 'Ca Mau', aliases: ['Cà Mau', 'Bạc Liêu', 'Bac Lieu'], lat: 9.18, lon: 105.15, coastal: true },
  { slug: 'an-giang', vi: 'An Giang', en: 'An Giang', aliases: ['An Giang', 'Kiên Giang', 'Kien Giang', 'Rạch Giá', 'Phú Quốc', 'Phu Quoc'], lat: 10.01, lon: 105.08, border: ['cambodia'], coastal: true },
];

/** The 63 pre-2025 provincial units, each mapped to the 2025 unit it is now part of. */
export const LEGACY_UNITS: Readonly<Record<string, string>> = {
  'Hà Nội': 'ha-noi', 'Hồ Chí Minh': 'ho-chi-minh', 'Hải Phòng': 'hai-phong', 'Đà Nẵng': 'da-nang', 'Cần Thơ': 'can-tho',
  'An Giang': 'an-giang', 'Bà Rịa - Vũng Tàu': 'ho-chi-minh', 'Bắc Giang': 'bac-ninh', 'Bắc Kạn': 'thai-nguyen', 'Bạc Liêu': 'ca-mau',
  'Bắc Ninh': 'bac-ninh', 'Bến Tre': 'vinh-long', 'Bình Định': 'gia-lai', 'Bình Dương': 'ho-chi-minh', 'Bình Phước': 'dong-nai',
  'Bình Thuận': 'lam-dong', 'Cà Mau': 'ca-mau', 'Cao Bằng': 'cao-bang', 'Đắk Lắk': 'dak-lak', 'Đắk Nông': 'lam-dong',
  'Điện Biên': 'dien-bien', 'Đồng Nai': 'dong-nai', 'Đồng Tháp': 'dong-thap', 'Gia Lai': 'gia-lai', 'Hà Giang': 'tuyen-quang',
  'Hà Nam': 'ninh-binh', 'Hà Tĩnh': 'ha-tinh', 'Hải Dương': 'hai-phong', 'Hậu Giang': 'can-tho', 'Hòa Bình': 'phu-tho',
  'Hưng Yên': 'hung-yen', 'Khánh Hòa': 'khanh-hoa', 'Kiên Giang': 'an-giang', 'Kon Tum': 'quang-ngai', 'Lai Châu': 'lai-chau',
  'Lâm Đồng': 'lam-dong', 'Lạng Sơn': 'lang-son', 'Lào Cai': 'lao-cai', 'Long An': 'tay-ninh', 'Nam Định': 'ninh-binh',
  'Nghệ An': 'nghe-an', 'Ninh Bình': 'ninh-binh', 'Ninh Thuận': 'khanh-hoa', 'Phú Thọ': 'phu-tho', 'Phú Yên': 'dak-lak',
  'Quảng Bình': 'quang-tri', 'Quảng Nam': 'da-nang', 'Quảng Ngãi': 'quang-ngai', 'Quảng Ninh': 'quang-ninh', 'Quảng Trị': 'quang-tri',
  'Sóc Trăng': 'can-tho', 'Sơn La': 'son-la', 'Tây Ninh': 'tay-ninh', 'Thái Bình': 'hung-yen', 'Thái Nguyên': 'thai-nguyen',
  'Thanh Hóa': 'thanh-hoa', 'Thừa Thiên Huế': 'hue', 'Tiền Giang': 'dong-thap', 'Trà Vinh': 'vinh-long', 'Tuyên Quang': 'tuyen-quang',
  'Vĩnh Long': 'vinh-long', 'Vĩnh Phúc': 'phu-tho', 'Yên Bái': 'lao-cai',
};

/** Abbreviations that name more than one unit: the user is asked to pick. */
const AMBIGUOUS: Record<string, string[]> = { dn: ['da-nang', 'dong-nai'] };
const ABROAD_WORDS = ['nuoc ngoai', 'o nuoc ngoai', 'abroad', 'overseas', 'outside vietnam', 'ngoai nuoc'];

const bySlug = new Map(PROVINCES.map((p) => [p.slug, p]));
let index: Map<string, string> | undefined;

function aliasIndex(): Map<string, string> {
  if (index) return index;
  index = new Map();
  const add = (name: string, slug: string) => {
    const key = fold(name);
    index!.set(key, slug);
    index!.set(key.replace(/\s+/g, ''), slug);
  };
  for (const p of PROVINCES) {
    add(p.vi, p.slug);
    add(p.en, p.slug);
    add(p.slug.replace(/-/g, ' '), p.slug);
    for (const alias of p.aliases) add(alias, p.slug);
  }
  for (const [name, slug] of Object.entries(LEGACY_UNITS)) add(name, slug);
  return index;
}

export function provinceBySlug(slug: string): Province | undefined {
  return bySlug.get(slug);
}

export function provinceName(slug: string, locale: 'vi' | 'en'): string {
  const p = bySlug.get(slug);
  return p ? p[locale] : slug;
}

export type ProvinceMatch =
  | { kind: 'province'; slug: string }
  | { kind: 'abroad'; country?: string }
  | { kind: 'ambiguous'; slugs: string[] }
  | { kind: 'none' };

const PREFIXES = /^(tinh|thanh pho|tp|province|city|o|tai|in|at)\s+/;

/** Resolves what a person typed to a 2025 unit, "abroad", a short list to pick from, or nothing. */
export function resolveProvince(text: string): ProvinceMatch {
  let folded = fold(text);
  if (!folded) return { kind: 'none' };
  if (ABROAD_WORDS.includes(folded)) return { kind: 'abroad' };
  const country = foreignPlace(text);
  if (country) return { kind: 'abroad', country };
  for (let i = 0; i < 3 && PREFIXES.test(folded); i++) folded = folded.replace(PREFIXES, '');
  if (AMBIGUOUS[folded]) return { kind: 'ambiguous', slugs: AMBIGUOUS[folded]! };
  const idx = aliasIndex();
  const exact = idx.get(folded) ?? idx.get(folded.replace(/\s+/g, ''));
  if (exact) return { kind: 'province', slug: exact };
  // A known name inside a longer phrase ("o ha giang a", "gần Sài Gòn").
  const found = new Set<string>();
  let longest = 0;
  for (const [alias, slug] of idx) {
    if (alias.length < 4 || !alias.includes(' ')) continue;
    if (` ${folded} `.includes(` ${alias} `)) {
      if (alias.length > longest) {
        longest = alias.length;
        found.clear();
      }
      if (alias.length === longest) found.add(slug);
    }
  }
  if (found.size === 1) return { kind: 'province', slug: [...found][0]! };
  if (found.size > 1) return { kind: 'ambiguous', slugs: [...found] };
  return { kind: 'none' };
}

/** The unit whose seat is nearest to a point (great-circle distance); approximate by design. */
export function nearestProvince(latitude: number, longitude: number): Province {
  let best = PROVINCES[0]!;
  let bestDistance = Infinity;
  for (const p of PROVINCES) {
    const d = haversineKm(latitude, longitude, p.lat, p.lon);
    if (d < bestDistance) {
      bestDistance = d;
      best = p;
    }
  }
  return best;
}

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.sqrt(a));
}
