/**
 * The SecuTix web services the assistant reads (source: `secutix-api.md`), as typed results.
 * The implementation (`adapters/secutix/`) builds URLs, signs a fresh token per call, parses
 * answers with zod, retries transient failures, and throws `SecutixError` for everything else.
 */

/** The operator's credentials for one verification. The password lives only in memory. */
export interface SecutixCredentials {
  /** Upper-case institution code (`sub` of the token; lower-case in the host name). */
  institutionCode: string;
  /** Sales channel code; the operator login is `<INSTITUTION>_<CHANNEL>`. */
  channelCode: string;
  password: string;
}

/** `posConfigData` of `getPOSConfig` (fields the assistant reads). */
export interface PosConfig {
  /** The `pointOfSalesId`. */
  posId: number;
  posCode?: string;
  /** A state that was not a string is kept as its JSON text (`null`, `3`): in no list, so "to confirm" naming it. */
  posActivityState: string;
  salesChannelId?: number;
  /** Empty when SecuTix sent no string (then named in `salesChannelUnread`). */
  salesChannelCode: string;
  salesChannelActivityState: string;
  /** Absent when SecuTix sent none, or sent another type (then named in `salesChannelUnread`). */
  virtualOperatorName?: string;
  /**
   * Fields of the sales channel check SecuTix sent without a string value, as `field = JSON text`
   * (`salesChannelCode = 7`): the check is "to confirm" naming them, never failed on them.
   */
  salesChannelUnread?: string[];
  institCode?: string;
  organizationTimeZone?: string;
  paymentMethods: { id?: number; code?: string; externalName?: string; paymentType: string; forPayment?: boolean }[];
  /** True when SecuTix sent no `paymentMethods` list (absent or null; `paymentMethods` is then empty): to confirm, not failed. */
  paymentMethodsMissing?: boolean;
  /** `hub.pointsOfSales[]` when SecuTix sent it (`running` false = that point of sale is stopped). */
  pointsOfSales?: {
    id?: number;
    code?: string;
    running?: boolean;
    /** `running` as seen (JSON text) when it was not a JSON boolean (the string "false" included): to confirm. */
    runningSeen?: string;
  }[];
}

/**
 * The products of a `getCatalogDetailed` answer; `seasonsMissing` true when SecuTix sent no
 * `catalogData.seasons` list (absent or null; the list is then empty): to confirm, not failed.
 */
export type Catalog = CatalogProduct[] & { seasonsMissing?: boolean };

/** A catalog product (`getCatalogDetailed`); unknown `state`/`productFamilyType` kept as strings. */
export interface CatalogProduct {
  id: number;
  code: string;
  state: string;
  productFamilyType: string;
  /** External name translations (`externalName.translations`), possibly empty. */
  names: { locale: string; value: string }[];
  /** Performances of an event (`event.performances`), empty for other families. */
  performances: { id: number; state: string; start?: string }[];
}

/** `eventAvailabilities` item. */
export interface EventAvailability {
  /** Item fields are not published: an item without one of them is kept (the check is then to confirm). */
  performanceId?: number;
  contingentId?: number;
  availableSeats?: number;
  /** Fields sent with a value of another type (`availableSeats = "12"`), left out above: to confirm, named. */
  unread?: string[];
}

/** `productAvailabilityData.items` item. */
export interface ProductAvailability {
  /** Item fields are assumed: an item without one of them is kept (the check is then to confirm). */
  productId?: number;
  contingentId?: number;
  date?: string;
  availableQuantity?: number;
  /** Fields sent with a value of another type (`availableQuantity = "5"`), left out above: to confirm, named. */
  unread?: string[];
}

/** `contactData` of `getContactData`. */
export interface ContactData {
  contactId?: number;
  contactNumber: string;
  firstName?: string;
  lastName?: string;
  /** `financialData.pendingAccountAuthorized`; undefined when SecuTix sent no flag (the check is then to confirm). */
  pendingAccountAuthorized: boolean | undefined;
  /** The flag as seen (JSON text, e.g. `"true"`) when it was not a JSON boolean: to confirm, named. */
  pendingAccountAuthorizedSeen?: string;
}

/** The SecuTix methods used, named as in `secutix-api.md`. */
export type SecutixMethod =
  'getPOSConfig' | 'getCatalogDetailed' | 'getEventAvailability' | 'getProductAvailability' | 'getContactData' | 'auth';

/**
 * Kinds of failure (`secutix-api.md`, "Result envelope and errors"):
 * - `credentials`: HTTP 401, never retried;
 * - `business`: a `statusCode` other than success / in_progress (`statusCode`, `statusDetail` set);
 * - `unavailable`: transient failures (509, 429, 5xx, timeout, reset) after bounded retries,
 *   or `in_progress` that never finished;
 * - `protocol`: non-JSON body or wrong field types (`field` names the first wrong field).
 */
export type SecutixErrorKind = 'credentials' | 'business' | 'unavailable' | 'protocol';

export class SecutixError extends Error {
  constructor(
    readonly kind: SecutixErrorKind,
    readonly method: SecutixMethod,
    message: string,
    readonly extra: {
      statusCode?: string;
      statusDetail?: string | null;
      httpStatus?: number;
      field?: string;
      attempts?: number;
      /** A 2xx answer that is not JSON: its media type (`text/html`), or absent when none was sent. */
      contentType?: string;
      /** A 2xx answer that is not JSON: the address that answered (origin and path, no query). */
      url?: string;
    } = {},
  ) {
    super(message);
    this.name = 'SecutixError';
  }
}

/** Read-only SecuTix client. Every method may throw `SecutixError`. */
export interface SecutixPort {
  getPOSConfig(c: SecutixCredentials): Promise<PosConfig>;
  /** `onWaiting` is called after each `in_progress` answer, with the time waited since the first request. */
  getCatalogDetailed(
    c: SecutixCredentials,
    opts?: { productCode?: string; seasonCode?: string; onWaiting?: (info: { waitedMs: number; polls: number }) => void },
  ): Promise<Catalog>;
  getEventAvailability(
    c: SecutixCredentials,
    req: { pointOfSalesId: number; performanceIds: number[]; contingentIds: number[] },
  ): Promise<EventAvailability[]>;
  getProductAvailability(
    c: SecutixCredentials,
    req: { pointOfSalesId: number; productIds: number[]; contingentIds: number[] },
  ): Promise<ProductAvailability[]>;
  /** @throws SecutixError `business` with statusCode `error.contact.notfound` for an unknown contact. */
  getContactData(c: SecutixCredentials, contactNumber: string): Promise<ContactData>;
}
