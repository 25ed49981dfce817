/**
 * The support desk's texts (issue 12): the support request naming who asks (organisation, domain,
 * requester, email, first request for the institution) and the desk's `status` queue, in en, fr,
 * de; French typography; nothing added when there is no origin (single-workspace mode).
 */
import { loadTemplates } from '../../../adapters/templates-loader';
import { LOCALES } from '../../../src/domain/ids';
import { MessageBuilder, type SupportOrigin } from '../../../src/messages/builder';
import type { Block } from '../../../src/messages/model';
import { Renderer } from '../../../src/messages/renderer';
import { dropLiterals } from '../../../src/messages/literal';
import { dummyRun } from '../../fixtures/dummy-run';
import { frenchTypographyProblems } from '../../helpers/french-typography';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const texts = (blocks: Block[]) => dropLiterals(blocks.map((b) => ('text' in b ? b.text : '')).join('\n'));
const origin: SupportOrigin = {
  kind: 'workspace',
  organisation: 'Acme Theatre',
  domain: 'acme.slack.com',
  requester: 'Alex Martin',
  email: 'alex@acme.example',
  firstForInstitution: true,
};
const waiting = (id: string, lang: 'en' | 'fr' | 'de', at: string) => {
  const r = dummyRun({ id, currentStep: 'password_request' });
  return { ...r, details: { ...r.details, language: lang }, steps: { ...r.steps, password_request: { state: 'current' as const, at } } };
};

describe.each(LOCALES)('support request with its origin (%s)', (L) => {
  const run = waiting('RUNORIG1', L, '2026-03-01T08:00:00.000Z');
  it('names the organisation, its domain, the requester and email, and flags a first request', () => {
    const t = texts(builder.supportRequest(run, { origin }).blocks);
    for (const v of ['Acme Theatre', 'acme.slack.com', 'Alex Martin', 'alex@acme.example', 'Slack']) expect(t).toContain(v);
    expect(t).toContain(run.details.institutionCode);
    const withoutFlag = texts(builder.supportRequest(run, { origin: { ...origin, firstForInstitution: false } }).blocks);
    expect(withoutFlag.length).toBeLessThan(t.length);
    const bold = (s: string) => s.split('**').length;
    expect(bold(t)).toBe(bold(withoutFlag) + 2); // the flag is bold
    if (L === 'fr') expect(frenchTypographyProblems(t)).toEqual([]);
  });

  it('a Teams origin names the tenant; without an origin the request is as before', () => {
    const teams = texts(
      builder.supportRequest(run, {
        origin: { kind: 'tenant', organisation: 'tenant-guid-1', requester: 'Bea', firstForInstitution: false },
      }).blocks,
    );
    expect(teams).toMatch(/Microsoft.Teams/);
    expect(teams).toContain('tenant-guid-1');
    const plain = texts(builder.supportRequest(run).blocks);
    expect(plain).not.toContain('Slack');
    expect(plain).not.toContain('Microsoft Teams');
    expect(plain.split('\n')).toHaveLength(texts(builder.supportRequest(run, { origin: null }).blocks).split('\n').length);
  });

  it("the desk's queue: each run with its organisation, age and start, in order; none", () => {
    const items = [
      { run: waiting('RUNOLD01', 'en', '2026-03-01T08:00:00.000Z'), organisation: 'Acme Theatre (T0A)' },
      { run: waiting('RUNNEW01', 'de', '2026-03-02T09:55:00.000Z'), organisation: 'Bellevue (T0B)' },
    ];
    const m = builder.supportQueue(L, items, '2026-03-02T10:00:00.000Z');
    const t = texts(m.blocks);
    expect(t.indexOf('RUNOLD01')).toBeLessThan(t.indexOf('RUNNEW01'));
    expect(t).toContain('Acme Theatre (T0A)');
    expect(t).toMatch(L === 'en' ? /1 d 2 h/ : L === 'fr' ? /1\u00a0j 2\u00a0h/ : /1 Tg\. 2 Std\./);
    expect(t).toMatch(L === 'en' ? /5 min/ : L === 'fr' ? /5\u00a0min/ : /5 Min\./);
    if (L === 'fr') expect(frenchTypographyProblems(t)).toEqual([]);
    expect(texts(builder.supportQueue(L, [], '2026-03-02T10:00:00.000Z').blocks)).toBe(builder.t(L, 'support_queue.none'));
  });
});
