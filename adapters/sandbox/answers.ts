/**
 * What the sandbox answers for each method (`secutix-api.md`, "Methods"), in the published shapes:
 * data fields under their envelope field, a contact's fields at the JSON root. Assumed item
 * fields may be left out per institution (`omitItemFields`) so clients meet answers without them.
 */
import { generatedSeasons } from './big-catalog';
import type { SandboxMethod } from './faults';
import type { SandboxInstitution, SandboxProduct } from './fixture';

/** Catalog states returned by `getCatalogDetailed` (`secutix-api.md`). */
const LISTED_STATES = new Set(['RUNNING', 'SUSPENDED']);

/** A success answer's fields beside the envelope, or a business error. */
export interface BusinessAnswer {
  data?: Record<string, unknown>;
  statusCode?: string;
  statusDetail?: string;
}

/** The institution's seasons: the fixture's, then its generated catalog (built on first use, then kept). */
function seasonsOf(inst: SandboxInstitution): SandboxInstitution['seasons'] {
  return inst.generatedCatalog ? [...inst.seasons, ...generatedSeasons(inst)] : inst.seasons;
}

function productsOf(inst: SandboxInstitution): SandboxProduct[] {
  return seasonsOf(inst).flatMap((s) => s.products);
}

function omit(item: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  if (fields.length === 0) return item;
  const out = { ...item };
  for (const f of fields) delete out[f];
  return out;
}

/** The answer of `method` for `inst` (request `body` already validated). */
export function businessAnswer(
  inst: SandboxInstitution,
  method: Exclude<SandboxMethod, 'auth'>,
  body: Record<string, unknown>,
): BusinessAnswer {
  const contingents = new Set(inst.contingentIds);
  const posCheck = () =>
    body.pointOfSalesId === inst.posConfig.posId
      ? undefined
      : { statusCode: 'error.pointofsales.notfound', statusDetail: `Point of sales ${String(body.pointOfSalesId)} unknown` };
  switch (method) {
    case 'getPOSConfig':
      return { data: { posConfigData: structuredClone(inst.posConfig) } };
    case 'getCatalogDetailed': {
      const seasons = seasonsOf(inst)
        .filter((s) => !body.seasonCode || s.code === body.seasonCode)
        .map((s) => ({
          id: s.id,
          code: s.code,
          products: s.products
            .filter((p) => LISTED_STATES.has(p.state) && (!body.productCode || p.code === body.productCode))
            .map((p) => ({
              id: p.id,
              code: p.code,
              state: p.state,
              productFamilyType: p.productFamilyType,
              externalName: { translations: p.names },
              // Extra fields no client reads: clients must ignore them.
              sandboxNote: 'ignored by tolerant clients',
              ...p.extra,
              ...(p.productFamilyType === 'SINGLE_ENTRY'
                ? {
                    event: {
                      performances: p.performances
                        .filter((f) => LISTED_STATES.has(f.state))
                        .map((f) => ({ id: f.id, state: f.state, start: f.start, ...f.extra })),
                    },
                  }
                : {}),
            })),
        }));
      return { data: { catalogData: { seasons } } };
    }
    case 'getEventAvailability': {
      const err = posCheck();
      if (err) return err;
      const performances = new Map(productsOf(inst).flatMap((p) => p.performances.map((f) => [f.id, f] as const)));
      const items: object[] = [];
      for (const pid of body.performanceIds as number[]) {
        const perf = performances.get(pid);
        if (!perf) continue;
        for (const cid of body.contingentIds as number[]) {
          if (!contingents.has(cid)) continue;
          const seats = perf.seats.find((x) => x.contingentId === cid)?.availableSeats ?? 0;
          items.push(omit({ performanceId: pid, contingentId: cid, availableSeats: seats }, inst.omitItemFields));
        }
      }
      return { data: { eventAvailabilityData: { eventAvailabilities: items } } };
    }
    case 'getProductAvailability': {
      const err = posCheck();
      if (err) return err;
      const byId = new Map(productsOf(inst).map((p) => [p.id, p]));
      const items: object[] = [];
      for (const pid of body.productIds as number[]) {
        const product = byId.get(pid);
        if (!product) continue;
        for (const cid of body.contingentIds as number[]) {
          if (!contingents.has(cid)) continue;
          const qs = product.quantities.filter((q) => q.contingentId === cid);
          if (qs.length === 0) items.push(omit({ productId: pid, contingentId: cid, availableQuantity: 0 }, inst.omitItemFields));
          for (const q of qs) {
            items.push(
              omit({ productId: pid, contingentId: cid, date: q.date, availableQuantity: q.availableQuantity }, inst.omitItemFields),
            );
          }
        }
      }
      return { data: { productAvailabilityData: { items } } };
    }
    case 'getContactData': {
      const c = inst.contacts.find((x) => x.contactNumber === body.contactNumber);
      if (!c) return { statusCode: 'error.contact.notfound', statusDetail: `Contact ${String(body.contactNumber)} not found` };
      // A ContactDataResult: its fields at the JSON root, beside the envelope (no `contactData` wrapper).
      return {
        data: {
          contactId: c.contactId,
          contactNumber: c.contactNumber,
          individualContact: { firstName: c.firstName, lastName: c.lastName },
          financialData: c.pendingAccountAuthorized === undefined ? {} : { pendingAccountAuthorized: c.pendingAccountAuthorized },
        },
      };
    }
  }
}

/**
 * Puts a value of the wrong type where a client must notice it: a published field (`posId`,
 * a product's `id`, the contact's number, the token) or an availability answer's wrapper (its item
 * fields are unpublished: clients keep items whatever their fields).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberate corruption of a shape built just before
export function breakTypes(method: SandboxMethod, answer: Record<string, any>): void {
  switch (method) {
    case 'getPOSConfig':
      answer.posConfigData.posId = String(answer.posConfigData.posId);
      break;
    case 'getCatalogDetailed': {
      const p = answer.catalogData.seasons[0]?.products[0];
      if (p) p.id = `id-${String(p.id)}`;
      else answer.catalogData.seasons = 'none';
      break;
    }
    case 'getEventAvailability':
      answer.eventAvailabilityData.eventAvailabilities = 'none';
      break;
    case 'getProductAvailability':
      answer.productAvailabilityData.items = 'none';
      break;
    case 'getContactData':
      answer.contactNumber = { number: answer.contactNumber };
      break;
    case 'auth':
      answer.token = 42;
      break;
  }
}
