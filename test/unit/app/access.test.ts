/**
 * The access policy as a table: who may start, press step buttons, verify, resume, read status,
 * press `password_assigned`, and cancel (own run, or any run as support); empty lists mean
 * everyone; the console user is always allowed; `help` lists only what the caller may use.
 */
import { AccessPolicy, type AccessOperation, type HelpCommand, type Principal } from '../../../src/app/access';

const OP = 'U0OPERATOR';
const OTHER_OP = 'U0OTHER';
const SUP = 'U0SUPPORT';
const OUTSIDER = 'U0NOBODY';
const GROUP = 'S0OPSGROUP';
const AAD = '6f1c0b0e-0000-4000-8000-00000000aaaa';

const policy = new AccessPolicy({ operators: [OP, OTHER_OP, GROUP, AAD.toUpperCase()], support: [SUP] });
const slack = (id: string, principals?: string[]): Principal => ({
  surface: 'slack',
  actor: { id },
  ...(principals ? { principals } : {}),
});

const ownedBy = (id: string) => ({ startedBy: { id } });
const ops: Record<string, AccessOperation> = {
  start: { op: 'start' },
  step: { op: 'step' },
  verify: { op: 'verify' },
  resume: { op: 'resume' },
  status: { op: 'status' },
  password_assigned: { op: 'password_assigned' },
  cancel_own: { op: 'cancel', run: ownedBy(OP) },
  cancel_other: { op: 'cancel', run: ownedBy(OTHER_OP) },
};

type Row = [who: string, principal: Principal, expected: Record<keyof typeof ops, true | 'operator' | 'support' | 'own_run'>];

const table: Row[] = [
  [
    'an operator',
    slack(OP),
    {
      start: true,
      step: true,
      verify: true,
      resume: true,
      status: true,
      password_assigned: 'support',
      cancel_own: true,
      cancel_other: 'own_run',
    },
  ],
  [
    'support (not an operator)',
    slack(SUP),
    {
      start: 'operator',
      step: 'operator',
      verify: 'operator',
      resume: 'operator',
      status: true,
      password_assigned: true,
      cancel_own: true,
      cancel_other: true,
    },
  ],
  [
    'an outsider',
    slack(OUTSIDER),
    {
      start: 'operator',
      step: 'operator',
      verify: 'operator',
      resume: 'operator',
      status: 'operator',
      password_assigned: 'support',
      cancel_own: 'operator',
      cancel_other: 'operator',
    },
  ],
  [
    'a member of an allowed Slack user group',
    slack('U0INGROUP', [GROUP]),
    {
      start: true,
      step: true,
      verify: true,
      resume: true,
      status: true,
      password_assigned: 'support',
      cancel_own: 'own_run',
      cancel_other: 'own_run',
    },
  ],
  [
    'a Teams user by AAD object id (case differs)',
    { surface: 'teams', actor: { id: AAD } },
    {
      start: true,
      step: true,
      verify: true,
      resume: true,
      status: true,
      password_assigned: 'support',
      cancel_own: 'own_run',
      cancel_other: 'own_run',
    },
  ],
  [
    'the console user (local use, always allowed)',
    { surface: 'console', actor: { id: OUTSIDER } },
    {
      start: true,
      step: true,
      verify: true,
      resume: true,
      status: true,
      password_assigned: true,
      cancel_own: true,
      cancel_other: true,
    },
  ],
];

describe('AccessPolicy.decide', () => {
  test.each(table)('%s', (_who, principal, expected) => {
    for (const [name, op] of Object.entries(ops)) {
      const want = expected[name]!;
      const got = policy.decide(principal, op);
      expect([name, got]).toEqual([name, want === true ? { allowed: true } : { allowed: false, rule: want }]);
    }
  });

  test('the group id counts only when the surface says the actor belongs to it', () => {
    expect(policy.decide(slack('U0INGROUP'), { op: 'start' })).toEqual({ allowed: false, rule: 'operator' });
    expect(policy.decide(slack('U0INGROUP', ['S0ELSEWHERE']), { op: 'start' })).toEqual({ allowed: false, rule: 'operator' });
  });

  test('empty lists mean everyone, and say so', () => {
    const open = AccessPolicy.open();
    expect(open.openTo).toEqual({ operators: true, support: true });
    for (const op of Object.values(ops)) expect(open.decide(slack(OUTSIDER), op)).toEqual({ allowed: true });
    expect(policy.openTo).toEqual({ operators: false, support: false });
  });

  test('operators listed, support open: every operator may confirm the password and cancel any run; outsiders still may not', () => {
    const p = new AccessPolicy({ operators: [OP], support: [] });
    expect(p.decide(slack(OP), { op: 'password_assigned' })).toEqual({ allowed: true });
    expect(p.decide(slack(OP), ops.cancel_other!)).toEqual({ allowed: true });
    expect(p.decide(slack(OUTSIDER), ops.cancel_other!)).toEqual({ allowed: false, rule: 'operator' });
    expect(p.decide(slack(OUTSIDER), { op: 'password_assigned' })).toEqual({ allowed: true });
  });

  test('support listed, operators open: everyone is an operator, cancelling only their own runs', () => {
    const p = new AccessPolicy({ operators: [], support: [SUP] });
    expect(p.decide(slack(OUTSIDER), { op: 'start' })).toEqual({ allowed: true });
    expect(p.decide(slack(OUTSIDER), ops.cancel_other!)).toEqual({ allowed: false, rule: 'own_run' });
    expect(p.decide(slack(OUTSIDER), { op: 'password_assigned' })).toEqual({ allowed: false, rule: 'support' });
    expect(p.decide(slack(SUP), ops.cancel_other!)).toEqual({ allowed: true });
  });

  test('listedIds gives every configured id once (adapters pick the group ids to resolve)', () => {
    expect(new AccessPolicy({ operators: [OP, GROUP, ' '], support: [GROUP, SUP] }).listedIds()).toEqual([OP, GROUP, SUP]);
  });
});

describe('AccessPolicy.commands (help)', () => {
  const cases: [string, Principal, HelpCommand[]][] = [
    ['an operator', slack(OP), ['start', 'status', 'resume', 'cancel', 'audit', 'check', 'product', 'help']],
    ['support', slack(SUP), ['status', 'cancel', 'audit', 'check', 'product', 'help']],
    ['an outsider', slack(OUTSIDER), ['product', 'help']],
    [
      'the console user',
      { surface: 'console', actor: { id: OUTSIDER } },
      ['start', 'status', 'resume', 'cancel', 'audit', 'check', 'product', 'help'],
    ],
  ];
  test.each(cases)('%s', (_who, principal, expected) => {
    expect(policy.commands(principal)).toEqual(expected);
  });
});
