import { loadTemplates } from '../../../adapters/templates-loader';
import { ACTION_IDS, FORM_IDS, LOCALES, STEP_IDS, type Locale, type StepId } from '../../../src/domain/ids';
import { decodeActionValue } from '../../../src/messages/action-value';
import { MessageBuilder, PASSWORD_PLACEHOLDER } from '../../../src/messages/builder';
import { dropLiterals } from '../../../src/messages/literal';
import type { Message } from '../../../src/messages/model';
import { type CatalogEntry, Renderer, TemplateVariableError, templateVariables } from '../../../src/messages/renderer';
import { createRun, transition } from '../../../src/workflow/transition';
import type { Actor, Effect, Run, RunEvent } from '../../../src/workflow/types';

const bundle = loadTemplates();
const renderer = new Renderer(bundle);
const builder = new MessageBuilder(renderer, { publicUrlTemplate: 'https://{institution}.ws.secutix.com', defaultLocale: 'en' });
const op: Actor = { id: 'U1', name: 'Ola' };
const T = '2026-11-29T10:00:00.000Z';

function runIn(locale: Locale): Run {
  return createRun({
    id: 'RUN00001',
    surface: 'slack',
    channelId: 'C1',
    details: {
      institutionCode: 'ACME',
      institutionName: 'Acme Theatre',
      channelCode: 'DGTK',
      digitickContactName: 'Dana Digitick',
      digitickContactEmail: 'dana@digitick.example',
      language: locale,
    },
    actor: op,
    at: T,
  }).run;
}

function step(run: Run, ev: RunEvent): { run: Run; effects: Effect[] } {
  const r = transition(run, ev);
  if (!r.ok) throw new Error(r.refusal.code);
  return r;
}

/** Every message a run can produce, from start to completion, plus a failed verification and a cancel. */
function allMessages(locale: Locale): Message[] {
  const out: Message[] = [];
  let run = runIn(locale);
  const collect = (r: Run, effects: Effect[]): void => {
    for (const e of effects) out.push(builder.forEffect(r, e, { runLink: 'https://example.slack.com/archives/C1/p1' }));
  };
  collect(run, [{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }]);
  const events: RunEvent[] = [
    { type: 'step_done', step: 'sales_channel', actor: op, at: T },
    { type: 'step_done', step: 'point_of_sale', actor: op, at: T },
    { type: 'step_done', step: 'contingents', actor: op, at: T, contingentIds: [11] },
    { type: 'step_done', step: 'technical_contact', actor: op, at: T, contactNumber: '000123' },
    { type: 'step_skip', step: 'event_products', actor: op, at: T },
    { type: 'step_done', step: 'pass_products', actor: op, at: T },
    { type: 'step_done', step: 'sales_interface', actor: op, at: T },
    { type: 'password_assigned', actor: op, at: T },
    {
      type: 'verification_result',
      actor: op,
      at: T,
      report: {
        passed: false,
        at: T,
        posId: 4242,
        checks: [
          { id: 'credentials', outcome: 'passed' },
          { id: 'event_products', outcome: 'skipped' },
        ],
      },
    },
    {
      type: 'verification_result',
      actor: op,
      at: T,
      report: { passed: true, at: T, posId: 4242, checks: [{ id: 'credentials', outcome: 'passed' }] },
    },
    { type: 'email_sent', actor: op, at: T },
  ];
  for (const ev of events) {
    const r = step(run, ev);
    collect(r.run, r.effects);
    run = r.run;
  }
  const cancelled = step(step(runIn(locale), { type: 'step_done', step: 'sales_channel', actor: op, at: T }).run, {
    type: 'cancel',
    actor: op,
    at: T,
  });
  collect(cancelled.run, cancelled.effects);
  for (const s of STEP_IDS) out.push(builder.stepPrompt(runIn(locale), s));
  out.push(
    builder.help(locale, 'slack'),
    builder.productGuide(locale),
    builder.statusList(locale, []),
    builder.statusList(locale, [runIn(locale)]),
  );
  return out;
}

/** Every text of a catalog entry: the string, or each of its plural forms. */
const textsOf = (entry: CatalogEntry): string[] =>
  typeof entry === 'string' ? [entry] : Object.values(entry).filter((v) => v !== undefined);
/** The variables an entry uses, over all its forms (a `one` form may spell the number out). */
const entryVariables = (entry: CatalogEntry): string[] => [...new Set(textsOf(entry).flatMap((t) => templateVariables(t)))].sort();

describe('catalogs', () => {
  it('every key exists in every language, and no value is empty', () => {
    const [first, ...others] = LOCALES;
    const keys = Object.keys(bundle.messages[first]).sort();
    expect(keys.length).toBeGreaterThan(100);
    for (const l of others) expect(Object.keys(bundle.messages[l]).sort()).toEqual(keys);
    for (const l of LOCALES)
      for (const k of keys) expect([l, k, textsOf(bundle.messages[l][k]).every((t) => t.trim().length > 0)]).toEqual([l, k, true]);
  });

  it('a key uses the same variables in every language', () => {
    for (const k of Object.keys(bundle.messages.en)) {
      const en = entryVariables(bundle.messages.en[k]);
      for (const l of LOCALES) expect([k, l, entryVariables(bundle.messages[l][k])]).toEqual([k, l, en]);
    }
  });

  it('file templates exist in every language', () => {
    for (const name of ['email', 'support-request']) for (const l of LOCALES) expect(bundle.files[`${name}.${l}`]).toBeDefined();
  });

  it('a file template uses the same variables in every language', () => {
    for (const name of ['email', 'support-request']) {
      const en = templateVariables(bundle.files[`${name}.en`]!).sort();
      expect(en.length).toBeGreaterThan(3);
      for (const l of LOCALES) expect([name, l, templateVariables(bundle.files[`${name}.${l}`]!).sort()]).toEqual([name, l, en]);
    }
  });
});

describe('renderer', () => {
  it('refuses a template whose variable the view does not provide', () => {
    const r = new Renderer({ messages: { en: { k: 'Hello {{who}}' }, fr: {}, de: {} }, files: {} });
    expect(() => r.t('en', 'k', {})).toThrow(TemplateVariableError);
    expect(r.t('en', 'k', { who: '<b>&' })).toBe('Hello <b>&');
  });
});

describe.each(LOCALES.map((l) => [l]))('messages in %s', (locale) => {
  const messages = allMessages(locale);

  it('every message of a whole run renders with no missing variable and no leftover mustache', () => {
    expect(messages.length).toBeGreaterThan(40);
    for (const m of messages) {
      const strings: string[] = [];
      JSON.stringify(m, (_k, v: unknown) => (typeof v === 'string' && strings.push(v), v));
      for (const s of strings) expect(s).not.toMatch(/\{\{|\}\}/);
      expect(m.text.length).toBeGreaterThan(0);
    }
  });

  it('messages with buttons have exactly one primary, and values that decode to the run', () => {
    for (const m of messages.filter((x) => x.actions.length > 0)) {
      // Contract table: every message with a button besides run_cancel has exactly one primary;
      // the step 8 message (waiting for support) carries run_cancel alone, not primary.
      const hasMain = m.actions.some((a) => a.actionId !== ACTION_IDS.runCancel);
      expect(m.actions.filter((a) => a.style === 'primary')).toHaveLength(hasMain ? 1 : 0);
      for (const a of m.actions) expect(decodeActionValue(a.value)).toMatchObject({ runId: 'RUN00001' });
      for (const a of m.actions.filter((x) => x.actionId === ACTION_IDS.runCancel)) expect(a.confirm?.title).toBeTruthy();
    }
  });

  it('step messages carry the buttons of the contract', () => {
    const expected: Record<StepId, string[]> = {
      sales_channel: ['step_done', 'run_cancel'],
      point_of_sale: ['step_done', 'run_cancel'],
      contingents: ['step_done', 'run_cancel'],
      technical_contact: ['step_done', 'run_cancel'],
      event_products: ['step_done', 'step_skip', 'run_cancel'],
      pass_products: ['step_done', 'step_skip', 'run_cancel'],
      sales_interface: ['step_done', 'run_cancel'],
      password_request: ['run_cancel'],
      verification: ['verify_start', 'answers_edit', 'verify_skip', 'run_cancel'],
      email_draft: ['email_sent', 'run_cancel'],
    };
    for (const s of STEP_IDS) expect(builder.stepPrompt(runIn(locale), s).actions.map((a) => a.actionId)).toEqual(expected[s]);
  });

  it('the email draft holds To, subject, login, URL, names, posId and the password placeholder', () => {
    const email = messages.find((m) => m.kind === 'email');
    const draft = email?.blocks.find((b) => b.type === 'preformatted');
    expect(draft).toBeDefined();
    const text = draft && draft.type === 'preformatted' ? draft.text : '';
    const head = {
      en: ['To:', 'Subject:', 'Kind regards,'],
      fr: ['À\u00a0:', 'Objet\u00a0:', 'Cordialement,'],
      de: ['An:', 'Betreff:', 'Freundliche Grüße'],
    }[locale];
    expect(text.startsWith(`${head[0]} Dana Digitick <dana@digitick.example>\n${head[1]} `)).toBe(true);
    expect(text).toMatch(/Acme Theatre/);
    // The email ends with the sender's name under the closing words.
    expect(text.endsWith(`\n${head[2]}\n${runIn(locale).startedBy.name}`)).toBe(true);
    for (const part of ['ACME_DGTK', 'https://acme.ws.secutix.com', 'Acme Theatre', 'Dana Digitick', '4242', PASSWORD_PLACEHOLDER[locale]])
      expect(text).toContain(part);
  });

  it('the email without a verified posId says getPOSConfig returns it', () => {
    const text = builder.emailDraft(runIn(locale));
    expect(text).toContain('getPOSConfig');
    expect(text).not.toContain('4242');
  });

  it('forms: titles within 24 characters, contract input ids', () => {
    const run = runIn(locale);
    const forms = [
      builder.startForm(locale, '{}'),
      ...[FORM_IDS.contingents, FORM_IDS.contact, FORM_IDS.password, FORM_IDS.verifySkip].map((id) => builder.runForm(run, id, '{}')),
    ];
    for (const f of forms) expect(f.title.length).toBeLessThanOrEqual(24);
    expect(forms.map((f) => f.inputs.map((i) => i.id))).toEqual([
      ['institution_code', 'institution_name', 'channel_code', 'digitick_contact_name', 'digitick_contact_email', 'language'],
      ['contingent_ids'],
      ['contact_number'],
      ['operator_password'],
      ['skip_reason'],
    ]);
    expect(forms[3].inputs[0].kind).toBe('password');
  });
});

describe('verification report hints', () => {
  const reportOf = (reasonCode: string): string => {
    const run = { ...runIn('en'), currentStep: 'verification' as const };
    run.verification = {
      passed: false,
      at: T,
      checks: [
        { id: 'credentials', outcome: 'passed' },
        { id: 'event_products', outcome: 'failed', reason: { code: reasonCode, params: { method: 'getCatalogDetailed' } } },
      ],
    };
    return JSON.stringify(builder.report(run).blocks);
  };

  it('a SecuTix outage does not send the operator to the back office', () => {
    expect(reportOf('secutix_unavailable')).toContain(builder.t('en', 'report.retry_hint.transient').slice(0, 40));
    expect(reportOf('secutix_unavailable')).not.toContain('Fix what failed in the back office');
  });

  it('a setup fault does', () => {
    expect(reportOf('no_event_products')).toContain('Fix what failed in the back office');
  });
});

describe('empty values in reports', () => {
  it.each([
    ['en', '(no value)'],
    ['fr', '(aucune valeur)'],
    ['de', '(kein Wert)'],
  ] as const)('%s: an empty value SecuTix gave shows as "%s", never as nothing', (locale, none) => {
    const run = { ...runIn(locale), currentStep: 'verification' as const };
    run.verification = {
      passed: false,
      at: T,
      checks: [
        { id: 'credentials', outcome: 'passed' },
        {
          id: 'sales_channel',
          outcome: 'failed',
          reason: { code: 'virtual_operator_mismatch', params: { expected: 'ACME_DGTK', actual: '' } },
        },
        { id: 'point_of_sale', outcome: 'to_confirm', reason: { code: 'pos_state_unknown', params: { state: ' ', posCode: 'DGTKPOS' } } },
        {
          id: 'technical_contact',
          outcome: 'failed',
          reason: { code: 'secutix_business', params: { method: 'getContactData', statusCode: 'x', statusDetail: '' } },
        },
      ],
    };
    const items = builder.report(run).blocks.find((b) => b.type === 'checks');
    const reasons = items?.type === 'checks' ? items.items.map((i) => i.reason ?? '') : [];
    expect(reasons[1]).toContain(none);
    expect(reasons[2]).toContain(none);
    expect(reasons[3]).toMatch(new RegExp(`${none.replace(/[()]/g, '\\$&')}$`));
  });
});

describe('erased answers', () => {
  it.each([
    ['en', '(erased)'],
    ['fr', '(effacé)'],
    ['de', '(gelöscht)'],
  ] as const)('%s: an erased answer shows as "%s" on the card and in values read back from the trail, never raw', (locale, words) => {
    const run = { ...runIn(locale), currentStep: 'verification' as const, erasedAnswers: ['institutionName' as const] };
    run.details = { ...run.details, institutionName: '' };
    const card = JSON.stringify(builder.card(run));
    expect(card).toContain(`${words} (ACME)`);
    expect(card).not.toContain('[erased]');
    // A value erased in the outbox (an effect written before the erase) reads the same.
    const changed = builder.answersChanged(run, {
      type: 'answers_changed',
      by: { id: 'U1', name: 'Op' },
      at: T,
      changes: [{ field: 'contactNumber', from: '[erased]', to: '000124' }],
    });
    // The values are marked as typed (literal markers, removed by every surface): read the text without them.
    expect(dropLiterals(JSON.stringify(changed))).toContain(`${words} → 000124`);
    expect(JSON.stringify(changed)).not.toContain('[erased]');
  });
});
