/**
 * The one table of SecuTix endpoints the client calls (source: `secutix-api.md`, "Transport"
 * and "Methods"), and URL building.
 */
import type { SecutixMethod } from '../../src/ports/secutix.port';

/** Where a method lives: `<module>/backend-apis/<service>/<version>/<method>`. */
export interface EndpointInfo {
  module: string;
  service: string;
  version: string;
  /**
   * Where the answer's data sits: the name of its data field in the result envelope, or `'root'`
   * when the Result's fields sit at the JSON root beside `requestId`/`statusCode` (absent for
   * `auth`, which has no envelope).
   */
  dataField?: string;
  /** With `dataField: 'root'`: a wrapper field read instead when the root carries none of the data (older shape). */
  wrapperFallback?: string;
}

/** `dataField` value meaning "the Result's fields sit at the JSON root" (`secutix-api.md`, `getContactData`). */
export const ROOT_DATA_FIELD = 'root';

/** Methods called with a result envelope (everything but the token exchange). */
export type EnvelopeMethod = Exclude<SecutixMethod, 'auth'>;

/** Modules, services and versions (source: `secutix-api.md`). */
export const ENDPOINTS: Record<EnvelopeMethod, EndpointInfo> = {
  getPOSConfig: { module: 'tnseb', service: 'catalogService', version: 'v1_33', dataField: 'posConfigData' },
  getCatalogDetailed: { module: 'tnseb', service: 'catalogService', version: 'v1_33', dataField: 'catalogData' },
  getEventAvailability: {
    module: 'tnseb',
    service: 'availabilityService',
    version: 'v1_33',
    dataField: 'eventAvailabilityData',
  },
  getProductAvailability: {
    module: 'tnseb',
    service: 'availabilityService',
    version: 'v1_33',
    dataField: 'productAvailabilityData',
  },
  getContactData: {
    module: 'tnco',
    service: 'contactInformationPublicService',
    version: 'v2_21',
    // Published shape: fields at the root; a `contactData` wrapper is still read as a fallback.
    dataField: ROOT_DATA_FIELD,
    wrapperFallback: 'contactData',
  },
};

/** Path of the token exchange (`SECUTIX_AUTH=exchange`; not in the published docs). */
export const AUTH_PATH = '/tnai/backend-apis/v1/auth';

/** Default base URL; `{institution}` is replaced by the lower-case institution code. */
export const DEFAULT_BASE_URL = 'https://{institution}.ws.secutix.com';

/**
 * Base URL for one institution: `{institution}` replaced by the lower-case code; a base without
 * the placeholder is used as is. Trailing slashes are removed.
 */
export function baseUrlFor(baseUrl: string, institutionCode: string): string {
  const base = baseUrl.includes('{institution}') ? baseUrl.split('{institution}').join(institutionCode.toLowerCase()) : baseUrl;
  return base.replace(/\/+$/, '');
}

/** Full URL `<base>/<module>/backend-apis/<service>/<version>/<method>`. */
export function methodUrl(baseUrl: string, institutionCode: string, method: EnvelopeMethod): string {
  const e = ENDPOINTS[method];
  return `${baseUrlFor(baseUrl, institutionCode)}/${e.module}/backend-apis/${e.service}/${e.version}/${method}`;
}

/** Full URL of the token exchange endpoint. */
export function authUrl(baseUrl: string, institutionCode: string): string {
  return `${baseUrlFor(baseUrl, institutionCode)}${AUTH_PATH}`;
}

/** Operator login `<INSTITUTION>_<CHANNEL>` (upper-case), the token's `aud`. */
export function operatorLogin(institutionCode: string, channelCode: string): string {
  return `${institutionCode.toUpperCase()}_${channelCode.toUpperCase()}`;
}
