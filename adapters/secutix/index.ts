/** The SecuTix client adapter (see `client.ts`). */
export { SecutixHttpClient, createSecutixClient, DEFAULT_SECUTIX_CLIENT_CONFIG } from './client';
export type { SecutixClientConfig } from './client';
export { ENDPOINTS, AUTH_PATH, DEFAULT_BASE_URL, baseUrlFor, methodUrl, authUrl, operatorLogin } from './endpoints';
export { HTTP_STATUS_TABLE, NETWORK_ERROR_TABLE, classifyHttpStatus, classifyNetworkError, parseRetryAfter } from './errors';
export { SlidingWindowRateLimiter } from './rate-limiter';
