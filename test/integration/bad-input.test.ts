/**
 * The bad-input corpus (`test/fixtures/bad-input/*.json`) sent through the real receivers: Bolt's
 * HTTP receiver with signed requests and the fake Slack Web API (`wireSlack`), and the Teams
 * `CloudAdapter` behind `POST /api/messages` with the fake connector (`startTeamsHarness`), both
 * on loopback with real SQLite and the SecuTix sandbox.
 *
 * For every case, with a known open run created first: the answer is the expected 4xx, or 200 with
 * a clear message in the expected place (ack body, ephemeral, `response_url`, modal field errors,
 * modal notice, invoke card, reply card) naming the problem; the run's stored record (version,
 * step, every field) and its audit trail are unchanged (refusals may append `refused:*` lines, no
 * transition); no run is created; nothing is logged at error level; no unhandled rejection; and
 * the server still answers `/healthz`. The fixture format is described in
 * `test/fixtures/bad-input/README.md`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Run } from '../../src/workflow/types';
import { commandBody, slackSignature } from '../helpers/slack-signing';
import { OPERATOR, RUN_CHANNEL, SIGNING_SECRET, type SlackHarness, wireSlack } from '../helpers/slack-wire';
import { ALEX, BOT, type Card, cardText, type Conversation, type Node, startTeamsHarness, type TeamsHarness } from './teams/helpers';

// ---- the corpus ----------------------------------------------------------------------------------

const expectSchema = z.strictObject({
  /** HTTP status, or any 4xx. */
  status: z.union([z.number().int(), z.literal('4xx')]),
  /** Where the clear message is (none for a 4xx without body; `silent` = 200 and no answer at all). */
  where: z
    .enum(['ack', 'ephemeral', 'response_url', 'view_errors', 'view_notice', 'modal', 'answer', 'invoke', 'reply', 'silent'])
    .optional(),
  /** Fragments the message must contain (case-insensitive; placeholders expanded). */
  contains: z.array(z.string()).optional(),
  /** Fragments the message must not contain. */
  notContains: z.array(z.string()).optional(),
  /** Input id -> message key of the field error (translated in `en`). */
  fieldErrors: z.record(z.string(), z.string()).optional(),
  /** `views.open` callback_id (with `where: "modal"`). */
  modal: z.string().optional(),
  /** Longest acceptable message (characters): a huge input is not echoed back whole. */
  maxLength: z.number().int().optional(),
  /** The message has no control characters (C0 and DEL) besides new lines. */
  noControlChars: z.boolean().optional(),
  /** The core may append `refused:*` audit lines (still no transition). */
  refusalAllowed: z.boolean().optional(),
});

const sendSchema = z.strictObject({
  /** Slack: how the request is signed (default `valid`). */
  signature: z.enum(['valid', 'none', 'forged', 'stale']).optional(),
  /** Default: Slack `application/x-www-form-urlencoded`, Teams `application/json`. */
  contentType: z.string().optional(),
  /** The raw body as sent. */
  body: z.string().optional(),
  /** Slack: slash command form fields over a valid command (`null` removes a field). */
  form: z.record(z.string(), z.string().nullable()).optional(),
  /** Slack: `payload=<this string>`. */
  payloadRaw: z.string().optional(),
  /** Slack: `payload=<JSON>` built from a valid base payload. */
  payload: z
    .strictObject({
      base: z.enum(['block_actions', 'view_submission']),
      /** Top-level fields replaced (`null` removes). */
      set: z.record(z.string(), z.unknown()).optional(),
      /** block_actions: fields of the single action replaced. */
      action: z.record(z.string(), z.unknown()).optional(),
      /** view_submission: fields of `view` replaced (`null` removes). */
      view: z.record(z.string(), z.unknown()).optional(),
      /** view_submission: typed text by input id (plain_text_input). */
      values: z.record(z.string(), z.string().nullable()).optional(),
      /** view_submission: `state.values` as is. */
      rawValues: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** Teams: fields over a valid personal-chat message from Alex (`null` removes). */
  activity: z.record(z.string(), z.unknown()).optional(),
  /** Teams: an `adaptiveCard/action` invoke with this `Action.Execute` verb and data. */
  invoke: z.strictObject({ verb: z.string(), data: z.unknown() }).optional(),
});

const caseSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  why: z.string().min(5),
  target: z.enum(['slack', 'teams']),
  send: sendSchema,
  expect: expectSchema,
});
type BadInput = z.infer<typeof caseSchema>;

const CORPUS_DIR = path.join(__dirname, '..', 'fixtures', 'bad-input');

function loadCorpus(): BadInput[] {
  const out: BadInput[] = [];
  for (const file of fs
    .readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const raw = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, file), 'utf8')) as unknown;
    const parsed = z.array(caseSchema).safeParse(raw);
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
    out.push(...parsed.data);
  }
  return out;
}

const corpus = loadCorpus();

// ---- placeholders ----------------------------------------------------------------------------------

/** Cyrillic twins of Latin capitals and digits; other characters get their full-width form. */
const LOOKALIKE: Record<string, string> = {
  A: 'А',
  B: 'В',
  C: 'С',
  E: 'Е',
  H: 'Н',
  K: 'К',
  M: 'М',
  P: 'Р',
  T: 'Т',
  X: 'Х',
  O: 'О',
  '3': 'З',
};

/** `id` with one character replaced by a look-alike (Cyrillic when possible, else full-width). */
export function lookalike(id: string): string {
  const i = [...id].findIndex((c) => LOOKALIKE[c]);
  if (i >= 0) return id.slice(0, i) + LOOKALIKE[id[i]!]! + id.slice(i + 1);
  return String.fromCharCode(id.charCodeAt(0) + 0xfee0) + id.slice(1);
}

type Vars = Record<string, string | number>;

/** Expands `{{NAME}}` and `{{REPEAT:n:text}}` in every string; a string that is exactly a numeric placeholder becomes the number. */
function expand<T>(value: T, vars: Vars): T {
  const one = (s: string): unknown => {
    const whole = /^\{\{([A-Z_]+)\}\}$/.exec(s);
    if (whole && typeof vars[whole[1]!] === 'number') return vars[whole[1]!];
    return s
      .replace(/\{\{REPEAT:(\d+):([^}]*)\}\}/g, (_m, n: string, text: string) => text.repeat(Number(n)))
      .replace(/\{\{([A-Z_]+)\}\}/g, (m, name: string) => {
        if (!(name in vars)) throw new Error(`unknown placeholder ${m}`);
        return String(vars[name]);
      });
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return one(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Shallow merge where `null` removes the key. */
function overlay(base: Record<string, unknown>, over: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

// ---- checks shared by both surfaces -----------------------------------------------------------------

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;

function checkText(c: BadInput, text: string, vars: Vars): void {
  const e = c.expect;
  const lower = text.toLowerCase();
  // On failure the message itself is shown (first 400 characters).
  for (const f of expand(e.contains ?? [], vars))
    expect({ case: c.id, has: f, found: lower.includes(f.toLowerCase()) || text.slice(0, 400) }).toEqual({
      case: c.id,
      has: f,
      found: true,
    });
  for (const f of expand(e.notContains ?? [], vars))
    expect({ case: c.id, hasNot: f, found: text.includes(f) }).toEqual({ case: c.id, hasNot: f, found: false });
  if (e.maxLength !== undefined) expect({ case: c.id, length: text.length <= e.maxLength }).toEqual({ case: c.id, length: true });
  if (e.noControlChars) expect({ case: c.id, control: CONTROL.test(text) }).toEqual({ case: c.id, control: false });
}

function checkStatus(c: BadInput, status: number): void {
  const want = c.expect.status;
  const ok = want === '4xx' ? status >= 400 && status < 500 : status === want;
  expect({ case: c.id, status, ok }).toEqual({ case: c.id, status, ok: true });
}

interface RunSnapshot {
  run: Run;
  audit: number;
  runs: number;
}

async function snapshot(
  store: { get(id: string): Promise<Run | null>; audit(id: string): Promise<unknown[]>; list(f: object): Promise<Run[]> },
  runId: string,
): Promise<RunSnapshot> {
  return { run: (await store.get(runId))!, audit: (await store.audit(runId)).length, runs: (await store.list({ limit: 1000 })).length };
}

/** The run is as before; new audit lines are refusals only (and only when the case allows them). */
async function checkUnchanged(
  c: BadInput,
  store: { get(id: string): Promise<Run | null>; audit(id: string): Promise<{ outcome: string }[]>; list(f: object): Promise<Run[]> },
  before: RunSnapshot,
): Promise<void> {
  const run = await store.get(before.run.id);
  expect({ case: c.id, run }).toEqual({ case: c.id, run: before.run });
  const added = (await store.audit(before.run.id)).slice(before.audit).map((a) => a.outcome);
  const allowed = c.expect.refusalAllowed ? added.filter((o) => !o.startsWith('refused:')) : added;
  expect({ case: c.id, auditAdded: allowed }).toEqual({ case: c.id, auditAdded: [] });
  expect({ case: c.id, runs: (await store.list({ limit: 1000 })).length }).toEqual({ case: c.id, runs: before.runs });
}

/** pino lines at error level or above since `from`. */
function errorLines(lines: string[], from: number): string[] {
  return lines.slice(from).filter((l) => {
    try {
      return (JSON.parse(l) as { level: number }).level >= 50;
    } catch {
      return false;
    }
  });
}

const rejections: unknown[] = [];
const onRejection = (err: unknown): void => void rejections.push(err);
beforeAll(() => process.on('unhandledRejection', onRejection));
afterAll(() => void process.off('unhandledRejection', onRejection));

test('the corpus has at least 40 cases, unique ids, both surfaces', () => {
  const ids = corpus.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(corpus.length).toBeGreaterThanOrEqual(40);
  const slack = corpus.filter((c) => c.target === 'slack').length;
  console.log(`bad-input corpus: ${corpus.length} cases (${slack} Slack, ${corpus.length - slack} Teams)`);
  expect(slack).toBeGreaterThan(0);
  expect(corpus.length - slack).toBeGreaterThan(0);
});

// ---- Slack -------------------------------------------------------------------------------------------

describe('Slack: bad input through the Bolt HTTP receiver', () => {
  let h: SlackHarness;
  let runId: string;
  let vars: Vars;
  let sent = 0;
  const times: number[] = [];

  beforeAll(async () => {
    h = await wireSlack();
    await h.command('start BADIN');
    const view = h.lastView();
    await h.submit(
      'onboard_start',
      view.private_metadata,
      {
        institution_code: 'BADIN',
        institution_name: 'Bad Input Theatre',
        channel_code: '',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      { selects: ['language'] },
    );
    const runs = await h.core.service.openRuns('slack');
    expect(runs).toHaveLength(1);
    runId = runs[0]!.id;
    const step = runs[0]!.currentStep!;
    vars = {
      RUN_ID: runId,
      RUN_ID_LOOKALIKE: lookalike(runId),
      STEP: step,
      RUN_CHANNEL,
      RESPONSE_URL: h.api.responseUrl('bad-input'),
      START_META: JSON.stringify({ c: RUN_CHANNEL, r: h.api.responseUrl('bad-input-start') }),
      RUN_META: JSON.stringify({ run: runId, step }),
      COMMAND_FORM: '',
    };
  });
  afterAll(async () => {
    const s = [...times].sort((a, b) => a - b);
    console.log(
      `slack bad-input answers: n=${s.length} p50=${s[Math.floor((s.length - 1) / 2)]?.toFixed(1)} ms max=${s[s.length - 1]?.toFixed(1)} ms`,
    );
    await h.close();
  });

  /** The raw body of a case. */
  function bodyOf(c: BadInput): string {
    const s = c.send;
    const validCommand = (over: Record<string, string | null> = {}) => {
      const base = Object.fromEntries(
        new URLSearchParams(
          commandBody({
            text: '',
            user_id: OPERATOR.id,
            user_name: OPERATOR.name,
            channel_id: RUN_CHANNEL,
            response_url: String(vars.RESPONSE_URL),
          }),
        ),
      );
      return new URLSearchParams(overlay(base, over) as Record<string, string>).toString();
    };
    if (s.body !== undefined) return expand(s.body, { ...vars, COMMAND_FORM: validCommand({ text: null }) });
    if (s.form) return validCommand(expand(s.form, vars));
    if (s.payloadRaw !== undefined) return new URLSearchParams({ payload: expand(s.payloadRaw, vars) }).toString();
    if (s.payload) return new URLSearchParams({ payload: JSON.stringify(payloadOf(expand(s.payload, vars))) }).toString();
    throw new Error(`${c.id}: nothing to send`);
  }

  function payloadOf(p: NonNullable<BadInput['send']['payload']>): Record<string, unknown> {
    const user = { id: OPERATOR.id, username: OPERATOR.name, name: OPERATOR.name, team_id: 'T0TEAM001' };
    // Unique trigger, click time and view id per case: the surface dedupes on them.
    const n = ++sent;
    const common = {
      team: { id: 'T0TEAM001', domain: 'fake' },
      user,
      api_app_id: 'A0APP0001',
      token: 'legacy-verification-token',
      trigger_id: `trigger.bad-input-${n}`,
    };
    if (p.base === 'block_actions') {
      const action = overlay(
        {
          action_id: 'step_done',
          block_id: 'run_actions',
          type: 'button',
          value: `${runId}:${vars.STEP}`,
          action_ts: `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`,
        },
        p.action,
      );
      return overlay(
        {
          type: 'block_actions',
          ...common,
          container: { type: 'message', message_ts: '1.0', channel_id: RUN_CHANNEL, is_ephemeral: false },
          channel: { id: RUN_CHANNEL, name: 'onboarding' },
          message: { type: 'message', ts: '1.0', text: '' },
          response_url: vars.RESPONSE_URL,
          actions: [action],
        },
        p.set,
      );
    }
    const values: Record<string, unknown> =
      p.rawValues ??
      Object.fromEntries(Object.entries(p.values ?? {}).map(([id, value]) => [id, { [id]: { type: 'plain_text_input', value } }]));
    const view = overlay(
      { id: `V0BAD${n}`, type: 'modal', callback_id: 'onboard_start', private_metadata: '', state: { values }, hash: '1.x', blocks: [] },
      p.view,
    );
    return overlay({ type: 'view_submission', ...common, view, response_urls: [], is_enterprise_install: false }, p.set);
  }

  async function post(c: BadInput, body: string): Promise<{ status: number; text: string; json: unknown; ms: number }> {
    const headers: Record<string, string> = { 'Content-Type': c.send.contentType ?? 'application/x-www-form-urlencoded' };
    const sig = c.send.signature ?? 'valid';
    if (sig !== 'none') {
      const ts = Math.floor(Date.now() / 1000) - (sig === 'stale' ? 6 * 60 : 0);
      headers['X-Slack-Request-Timestamp'] = String(ts);
      headers['X-Slack-Signature'] = slackSignature(sig === 'forged' ? 'not-the-secret' : SIGNING_SECRET, ts, body);
    }
    const t0 = performance.now();
    const res = await fetch(`${h.baseUrl}/slack/events`, { method: 'POST', headers, body });
    const text = await res.text();
    const ms = performance.now() - t0;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, ms };
  }

  const slackCases = corpus.filter((c) => c.target === 'slack');
  test.each(slackCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const before = await snapshot(h.core.store, runId);
    const calls = h.api.calls.length;
    const logs = h.logs.length;
    const answer = await post(c, bodyOf(c));
    times.push(answer.ms);
    await h.surface.idle();
    checkStatus(c, answer.status);
    const e = c.expect;
    const newCalls = h.api.calls.slice(calls);
    const texts = (method: string) =>
      newCalls.filter((k) => k.method === method).map((k) => `${String(k.args.text ?? '')}\n${JSON.stringify(k.args.blocks ?? '')}`);
    const ackJson = (answer.json ?? {}) as { text?: string; response_action?: string; errors?: Record<string, string>; view?: unknown };
    switch (e.where) {
      case 'ack':
        expect(ackJson.text).toBeDefined();
        checkText(c, ackJson.text!, vars);
        break;
      case 'ephemeral':
      case 'response_url': {
        const found = texts(e.where === 'ephemeral' ? 'chat.postEphemeral' : 'response_url');
        expect({ case: c.id, answers: found.length }).toEqual({ case: c.id, answers: 1 });
        checkText(c, found[0]!, vars);
        break;
      }
      case 'view_errors': {
        expect(ackJson.response_action).toBe('errors');
        const want = Object.fromEntries(Object.entries(e.fieldErrors ?? {}).map(([id, key]) => [id, h.core.builder.t('en', key)]));
        expect({ case: c.id, errors: ackJson.errors }).toEqual({ case: c.id, errors: want });
        for (const text of Object.values(want)) expect(text).not.toMatch(/^error\.field\./);
        break;
      }
      case 'view_notice':
        expect(ackJson.response_action).toBe('update');
        checkText(c, JSON.stringify(ackJson.view), vars);
        break;
      case 'modal': {
        const opened = newCalls.filter((k) => k.method === 'views.open');
        expect(opened).toHaveLength(1);
        const view = opened[0]!.args.view as { callback_id: string };
        expect(view.callback_id).toBe(e.modal);
        checkText(c, JSON.stringify(view), vars);
        break;
      }
      case undefined:
        break;
      default:
        throw new Error(`${c.id}: where=${e.where} is not a Slack answer`);
    }
    // Nothing posted or edited in channels: bad input never reaches the run's messages.
    expect({ case: c.id, posted: newCalls.filter((k) => k.method === 'chat.postMessage' || k.method === 'chat.update').length }).toEqual({
      case: c.id,
      posted: 0,
    });
    await checkUnchanged(c, h.core.store, before);
    expect({ case: c.id, errors: errorLines(h.logs, logs) }).toEqual({ case: c.id, errors: [] });
    expect(rejections).toEqual([]);
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});

// ---- Teams -------------------------------------------------------------------------------------------

describe('Teams: bad input through CloudAdapter on POST /api/messages', () => {
  let h: TeamsHarness;
  let runId: string;
  let vars: Vars;
  let seq = 0;
  const PERSONAL: Conversation = { id: 'a:personal-bad-input', conversationType: 'personal' };
  const times: number[] = [];

  beforeAll(async () => {
    h = await startTeamsHarness();
    await h.message(PERSONAL, ALEX, 'start');
    const form = h.connector
      .posted(PERSONAL.id)
      .map((a) => (a.activity.attachments as { content: Card }[] | undefined)?.[0]?.content)
      .find((card) => card?.actions?.some((a) => a.verb === 'onboard_start'));
    const submit = form!.actions!.find((a) => a.verb === 'onboard_start')!;
    await h.invoke(PERSONAL, ALEX, submit, {
      institution_code: 'BADIN',
      institution_name: 'Bad Input Theatre',
      channel_code: 'DGTK',
      digitick_contact_name: 'Camille Martin',
      digitick_contact_email: 'camille.martin@digitick.example',
      language: 'en',
    });
    const runs = await h.service.openRuns('teams');
    expect(runs).toHaveLength(1);
    runId = runs[0]!.id;
    vars = {
      RUN_ID: runId,
      RUN_ID_LOOKALIKE: lookalike(runId),
      STEP: runs[0]!.currentStep!,
      VERSION: runs[0]!.version,
      SERVICE_URL: h.connector.url,
    };
  });
  afterAll(async () => {
    const s = [...times].sort((a, b) => a - b);
    console.log(
      `teams bad-input answers: n=${s.length} p50=${s[Math.floor((s.length - 1) / 2)]?.toFixed(1)} ms max=${s[s.length - 1]?.toFixed(1)} ms`,
    );
    await h.close();
  });

  function bodyOf(c: BadInput): string {
    const s = c.send;
    if (s.body !== undefined) return expand(s.body, vars);
    const base: Record<string, unknown> = {
      type: 'message',
      id: `bad-input-${++seq}`,
      timestamp: new Date().toISOString(),
      serviceUrl: h.connector.url,
      channelId: 'msteams',
      recipient: BOT,
      from: ALEX,
      conversation: { id: PERSONAL.id, conversationType: 'personal', tenantId: 'tenant-1', isGroup: false },
      locale: 'en-US',
      text: 'help',
    };
    const invoke = s.invoke
      ? {
          type: 'invoke',
          name: 'adaptiveCard/action',
          text: null,
          value: { action: { type: 'Action.Execute', ...expand(s.invoke, vars) }, trigger: 'manual' },
        }
      : {};
    return JSON.stringify(overlay(overlay(base, invoke), expand(s.activity, vars)));
  }

  /** Every TextBlock/FactSet text of the cards in the connector's requests since `from`. */
  function repliesSince(from: number): string[] {
    return h.connector.requests.slice(from).flatMap((r) => {
      const atts = (r.body as { attachments?: { content?: Card }[] } | undefined)?.attachments ?? [];
      return atts.filter((a) => a.content?.body).map((a) => cardText(a.content!));
    });
  }

  /** The field error under input `id`: the TextBlock right after it in the card (attention colour). */
  function fieldError(card: Card, id: string): string | undefined {
    const flat: Node[] = [];
    const walk = (nodes: Node[]) => {
      for (const n of nodes) {
        flat.push(n);
        if (Array.isArray(n.items)) walk(n.items as Node[]);
      }
    };
    walk(card.body);
    const i = flat.findIndex((n) => n.id === id);
    const next = flat.slice(i + 1).find((n) => n.type === 'TextBlock' || n.type.startsWith('Input.'));
    return i >= 0 && next?.type === 'TextBlock' && next.color === 'attention' ? String(next.text) : undefined;
  }

  const teamsCases = corpus.filter((c) => c.target === 'teams');
  test.each(teamsCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const before = await snapshot(h.store, runId);
    const requests = h.connector.requests.length;
    const logs = h.logLines.length;
    const t0 = performance.now();
    const res = await fetch(`${h.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': c.send.contentType ?? 'application/json' },
      body: bodyOf(c),
    });
    const text = await res.text();
    times.push(performance.now() - t0);
    await h.surface.idle();
    checkStatus(c, res.status);
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* plain text */
    }
    const e = c.expect;
    const replies = repliesSince(requests);
    switch (e.where) {
      case 'answer':
        checkText(c, typeof body === 'string' ? body : JSON.stringify(body), vars);
        break;
      case 'invoke': {
        const answer = body as { statusCode: number; type: string; value: Card };
        expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
        if (e.contains || e.notContains) checkText(c, cardText(answer.value), vars);
        for (const [id, key] of Object.entries(e.fieldErrors ?? {}))
          expect({ case: c.id, field: id, error: fieldError(answer.value, id) }).toEqual({
            case: c.id,
            field: id,
            error: h.builder.t('en', key),
          });
        if (e.notContains) checkText(c, JSON.stringify(answer.value), vars);
        expect({ case: c.id, replies }).toEqual({ case: c.id, replies: [] });
        break;
      }
      case 'reply':
        expect({ case: c.id, replies: replies.length }).toEqual({ case: c.id, replies: 1 });
        checkText(c, replies[0]!, vars);
        break;
      case 'silent':
        expect({ case: c.id, body: text, requests: h.connector.requests.length - requests }).toEqual({ case: c.id, body: '', requests: 0 });
        break;
      case undefined:
        expect({ case: c.id, replies }).toEqual({ case: c.id, replies: [] });
        break;
      default:
        throw new Error(`${c.id}: where=${e.where} is not a Teams answer`);
    }
    await checkUnchanged(c, h.store, before);
    expect({ case: c.id, errors: errorLines(h.logLines, logs) }).toEqual({ case: c.id, errors: [] });
    expect(rejections).toEqual([]);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
