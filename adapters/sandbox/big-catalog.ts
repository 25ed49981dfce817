/**
 * A large catalog generated deterministically at start (`generatedCatalog` of a fixture
 * institution, e.g. `BIGCAT`), never stored in the repository. Shaped like a real channel's
 * catalog (`secutix-api.md`: about 10 MB for one channel): names and descriptions in three
 * languages and the extra fields real answers carry, which clients ignore.
 */
import type { GeneratedCatalogSpec, SandboxInstitution, SandboxProduct } from './fixture';

type Season = SandboxInstitution['seasons'][number];

/** mulberry32: a small deterministic PRNG (same seed, same catalog, on every machine). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS = {
  fr: ['concert', 'soirée', 'orchestre', 'récital', 'lumière', 'hiver', 'printemps', 'scène', 'voix', 'danse', 'jazz', 'opéra'],
  en: ['concert', 'evening', 'orchestra', 'recital', 'light', 'winter', 'spring', 'stage', 'voices', 'dance', 'jazz', 'opera'],
  de: ['Konzert', 'Abend', 'Orchester', 'Liederabend', 'Licht', 'Winter', 'Frühling', 'Bühne', 'Stimmen', 'Tanz', 'Jazz', 'Oper'],
} as const;
type Lang = keyof typeof WORDS;
const LANGS: Lang[] = ['fr', 'en', 'de'];

function text(rand: () => number, lang: Lang, words: number): string {
  const list = WORDS[lang];
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(list[Math.floor(rand() * list.length)]);
  const s = out.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const translations = (rand: () => number, words: number) => LANGS.map((locale) => ({ locale, value: text(rand, locale, words) }));

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The generated season(s) of one spec for `contingentIds`. Pure: same input, same output. */
export function generateCatalog(spec: GeneratedCatalogSpec, contingentIds: readonly number[]): Season[] {
  const rand = prng(spec.seed);
  const products: SandboxProduct[] = [];
  const start = Date.UTC(2027, 0, 1, 19, 0, 0);
  let perfId = spec.firstPerformanceId;
  const seatsFor = () =>
    contingentIds.map((contingentId) => ({
      contingentId,
      availableSeats: Math.floor(rand() * 4) === 0 ? 0 : 1 + Math.floor(rand() * 300),
    }));
  const extraOf = (n: number) => ({
    externalDescription: { translations: translations(rand, 28) },
    shortDescription: { translations: translations(rand, 12) },
    productFamilyId: 1000 + (n % 37),
    productFamilyCode: `FAM${pad(n % 37, 3)}`,
    organizerName: `Organizer ${n % 211}`,
    rank: n,
    vatRate: 5500,
    priceRange: { minPrice: 1000 * (1 + (n % 9)), maxPrice: 1000 * (10 + (n % 40)), currencyCode: 'EUR' },
  });
  for (let i = 0; i < spec.events; i++) {
    const n = i + 1;
    const performances: SandboxProduct['performances'] = [];
    for (let j = 0; j < spec.performancesPerEvent; j++) {
      const when = new Date(start + (i * spec.performancesPerEvent + j) * 3_600_000).toISOString().replace('.000Z', 'Z');
      performances.push({
        id: perfId++,
        state: 'RUNNING',
        start: when,
        seats: seatsFor(),
        extra: {
          venueCode: `HALL${(n + j) % 12}`,
          durationMinutes: 60 + ((n * 7 + j) % 120),
          seatCategoryIds: [1, 2, 3].map((k) => k + (n % 5)),
        },
      });
    }
    products.push({
      id: spec.firstProductId + i,
      code: `EVT${pad(n, 5)}`,
      state: 'RUNNING',
      productFamilyType: 'SINGLE_ENTRY',
      names: translations(rand, 4),
      performances,
      quantities: [],
      extra: extraOf(n),
    });
  }
  for (let i = 0; i < spec.passes; i++) {
    const n = spec.events + i + 1;
    products.push({
      id: spec.firstProductId + spec.events + i,
      code: `PAS${pad(i + 1, 5)}`,
      state: 'RUNNING',
      productFamilyType: 'PASS',
      names: translations(rand, 3),
      performances: [],
      quantities: contingentIds.map((contingentId) => ({ contingentId, date: '2027-06-30', availableQuantity: Math.floor(rand() * 200) })),
      extra: extraOf(n),
    });
  }
  return [{ id: spec.seasonId, code: spec.seasonCode, products }];
}

const memo = new Map<string, Season[]>();

/**
 * The generated seasons of an institution, computed once per process and spec (the sandbox never
 * changes them: callers must not mutate the result).
 */
export function generatedSeasons(inst: Pick<SandboxInstitution, 'generatedCatalog' | 'contingentIds'>): Season[] {
  if (!inst.generatedCatalog) return [];
  const key = JSON.stringify([inst.generatedCatalog, inst.contingentIds]);
  let seasons = memo.get(key);
  if (!seasons) {
    seasons = generateCatalog(inst.generatedCatalog, inst.contingentIds);
    memo.set(key, seasons);
  }
  return seasons;
}
