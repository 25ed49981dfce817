import { ENDPOINTS, authUrl, baseUrlFor, methodUrl, operatorLogin } from '../../../adapters/secutix/endpoints';

describe('SecuTix URL building', () => {
  it('replaces {institution} by the lower-case code in the default base', () => {
    expect(methodUrl('https://{institution}.ws.secutix.com', 'ACME', 'getPOSConfig')).toBe(
      'https://acme.ws.secutix.com/tnseb/backend-apis/catalogService/v1_33/getPOSConfig',
    );
  });

  it('uses a base without placeholder as is (trailing slash removed)', () => {
    expect(baseUrlFor('http://127.0.0.1:4010/', 'ACME')).toBe('http://127.0.0.1:4010');
    expect(methodUrl('http://127.0.0.1:4010', 'ACME', 'getContactData')).toBe(
      'http://127.0.0.1:4010/tnco/backend-apis/contactInformationPublicService/v2_21/getContactData',
    );
  });

  it('builds every method from the one table (modules and versions of secutix-api.md)', () => {
    expect(methodUrl('https://x', 'A1', 'getCatalogDetailed')).toBe('https://x/tnseb/backend-apis/catalogService/v1_33/getCatalogDetailed');
    expect(methodUrl('https://x', 'A1', 'getEventAvailability')).toBe(
      'https://x/tnseb/backend-apis/availabilityService/v1_33/getEventAvailability',
    );
    expect(methodUrl('https://x', 'A1', 'getProductAvailability')).toBe(
      'https://x/tnseb/backend-apis/availabilityService/v1_33/getProductAvailability',
    );
    expect(Object.keys(ENDPOINTS).sort()).toEqual(
      ['getCatalogDetailed', 'getContactData', 'getEventAvailability', 'getPOSConfig', 'getProductAvailability'].sort(),
    );
  });

  it('builds the exchange URL and the operator login', () => {
    expect(authUrl('https://{institution}.ws.secutix.com', 'Acme')).toBe('https://acme.ws.secutix.com/tnai/backend-apis/v1/auth');
    expect(operatorLogin('acme', 'dgtk')).toBe('ACME_DGTK');
  });
});
