/** `REPLICAS` (issue 11): how many processes share the database; the SecuTix rate limit is divided by it. */
import { ConfigError, loadConfig } from '../../../adapters/config';

test('REPLICAS defaults to 1, takes a whole number, and names itself when wrong', () => {
  expect(loadConfig({}).replicas).toBe(1);
  expect(loadConfig({ REPLICAS: '3' }).replicas).toBe(3);
  for (const bad of ['0', 'two', '1.5']) {
    let err: unknown;
    try {
      loadConfig({ REPLICAS: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toMatch(/^REPLICAS: must be a whole number from 1 to 100/);
  }
});
