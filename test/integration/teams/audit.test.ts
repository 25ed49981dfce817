/**
 * Audit export through Teams (issue 5): `audit RUN` through the real `CloudAdapter` answers with
 * Adaptive Cards holding a `Table` (schema 1.5), split when large; the Teams-only HTTP server
 * serves the admin `GET /runs/:id/audit` (bearer `ADMIN_TOKEN`; 404 and a start-up log line when
 * the token is unset).
 */
import type { AddressInfo } from 'node:net';
import { createAuditRoute } from '../../../adapters/admin/audit-route';
import { createTeamsOnlyServer } from '../../../adapters/teams';
import { cardBytes, MAX_CARD_BYTES } from '../../../adapters/teams/cards';
import {
  ALEX,
  actionOf,
  type Card,
  cardOf,
  type Conversation,
  invokeCard,
  latestWithAction,
  type Node,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
} from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-alex', conversationType: 'personal' };
const startInputs = {
  institution_code: 'demo',
  institution_name: 'Demo Theatre',
  channel_code: 'DGTK',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
};

/** Starts a DEMO run in the personal chat and presses `step_done` on its first step; returns the run id. */
async function startRun(h: TeamsHarness): Promise<string> {
  await h.message(PERSONAL, ALEX, 'start');
  const formActivity = h.connector.posted(PERSONAL.id).find((a) => actionOf(cardOf(a), 'onboard_start'))!;
  const answer = invokeCard(
    await h.invoke(PERSONAL, ALEX, actionOf(cardOf(formActivity), 'onboard_start')!, startInputs, { replyToId: formActivity.id }),
  );
  const runId = /Run ([A-Z0-9]{8})/.exec(String(answer.body[0]!.text))![1]!;
  const step = latestWithAction(h.connector, 'step_done', 'sales_channel', PERSONAL.id);
  invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(step), 'step_done')!, {}, { replyToId: step.id }));
  return runId;
}

/** The `Table` of a card and its rows' cell texts. */
function tableOf(card: Card): { table: Node; rows: string[][] } {
  const table = card.body.find((n) => n.type === 'Table');
  if (!table) throw new Error('no Table in the card');
  const rows = (table.rows as { type: string; cells: { type: string; items: { text: string }[] }[] }[]).map((r) => {
    expect(r.type).toBe('TableRow');
    return r.cells.map((c) => {
      expect(c.type).toBe('TableCell');
      return c.items.map((i) => i.text).join('\n');
    });
  });
  return { table, rows };
}

describe('Teams: audit RUN', () => {
  let h: TeamsHarness;
  beforeEach(async () => {
    h = await startTeamsHarness({ access: { operators: [ALEX.aadObjectId], support: [SAM.aadObjectId] } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers a table card with every entry in order, in the default zone marked as such', async () => {
    const runId = await startRun(h);
    const before = h.connector.posted(PERSONAL.id).length;
    const answer = await h.message(PERSONAL, SAM, `audit ${runId.toLowerCase()}`);
    expect(answer.status).toBe(200);
    const cards = h.connector
      .posted(PERSONAL.id)
      .slice(before)
      .map((a) => cardOf(a));
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.version).toBe('1.5');
    expect(String(card.body[0]!.text)).toBe(`Audit trail of run ${runId}`);
    const { table, rows } = tableOf(card);
    expect(table.firstRowAsHeader).toBe(true);
    // Issue 9: three columns at full width, one local time, names and words (never ids), no cell Markdown reads as a list.
    expect(card.msteams).toEqual({ width: 'Full' });
    expect((table.columns as unknown[]).length).toBe(3);
    expect(rows[0]).toEqual(['When, Europe/Paris (default)', 'Who', 'What happened']);
    const trail = await h.store.audit(runId);
    expect(rows.length - 1).toBe(trail.length);
    expect(rows[1]![0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(rows[1]).toEqual([expect.any(String), 'Alex Operator', 'Run started\ninstitution DEMO; sales channel DGTK; language: English']);
    expect(rows[2]).toEqual([expect.any(String), 'Alex Operator', '**Sales channel**: done']);
    expect(JSON.stringify(rows)).not.toMatch(/aad-|step_done|sales_channel/);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^\s*(?:[-+*]|\d+[.)])(?:\s|$)/);
    const texts = card.body.filter((n) => n.type === 'TextBlock').map((n) => String(n.text));
    expect(texts.join('\n')).toContain('local times are in Europe/Paris, marked "(default)"');
    expect(texts.join('\n')).toContain('Microsoft Graph');
  });

  it('splits a long trail over several cards under the 28 KB limit, rows in order', async () => {
    const runId = await startRun(h);
    const t0 = Date.parse('2025-01-15T09:30:00.000Z');
    await h.store.appendAudit(
      Array.from({ length: 90 }, (_, i) => ({
        runId,
        at: new Date(t0 + i * 60_000).toISOString(),
        actor: { id: ALEX.aadObjectId, name: 'Alex Operator' },
        surface: 'teams' as const,
        action: 'resume',
        step: 'point_of_sale' as const,
        outcome: 'ok',
        details: { note: 'x'.repeat(120) },
      })),
    );
    const before = h.connector.posted(PERSONAL.id).length;
    await h.message(PERSONAL, ALEX, `audit ${runId}`);
    const cards = h.connector
      .posted(PERSONAL.id)
      .slice(before)
      .map((a) => cardOf(a));
    expect(cards.length).toBeGreaterThan(1);
    const times: string[] = [];
    cards.forEach((c, i) => {
      expect(cardBytes(c as never)).toBeLessThan(MAX_CARD_BYTES);
      expect(String(c.body[0]!.text)).toContain(runId);
      expect(String(c.body[1]!.text)).toBe(`Part ${i + 1} of ${cards.length}`);
      times.push(
        ...tableOf(c)
          .rows.slice(1)
          .map((r) => r[0]!),
      );
    });
    const trail = await h.store.audit(runId);
    expect(times).toHaveLength(trail.length);
    // Rows in trail order: the 90 added entries are one minute apart, after the run's own.
    expect(times.slice(-90)).toEqual([...times.slice(-90)].sort());
    const seqs = trail.map((e) => e.seq);
    console.log(
      `teams audit: ${seqs.length} entries in ${cards.length} cards, sizes ${cards.map((c) => cardBytes(c as never)).join(', ')} bytes`,
    );
  });

  it('refuses someone who is neither operator nor support, and asks for the run id', async () => {
    const runId = await startRun(h);
    const outsider = { id: '29:olga', name: 'Olga Outsider', aadObjectId: 'aad-olga' };
    const before = h.connector.posted(PERSONAL.id).length;
    await h.message(PERSONAL, outsider, `audit ${runId}`);
    await h.message(PERSONAL, ALEX, 'audit');
    const texts = h.connector
      .posted(PERSONAL.id)
      .slice(before)
      .map((a) => JSON.stringify(cardOf(a).body));
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('you are not on the list of people allowed');
    expect(texts[0]).not.toContain('Table');
    expect(texts[1]).toContain('audit');
    // help lists audit only for those who may use it.
    const b2 = h.connector.posted(PERSONAL.id).length;
    await h.message(PERSONAL, outsider, 'help');
    await h.message(PERSONAL, SAM, 'help');
    const [helpOut, helpSam] = h.connector
      .posted(PERSONAL.id)
      .slice(b2)
      .map((a) => JSON.stringify(cardOf(a).body));
    expect(helpOut).not.toContain('audit RUN');
    expect(helpSam).toContain('audit RUN');
  });

  it('the Teams-only server serves GET /runs/:id/audit behind the token, and 404 when ADMIN_TOKEN is unset', async () => {
    const runId = await startRun(h);
    const token = 'teams-admin-token-0123456789';
    const lines: string[] = [];
    const logger = {
      debug: () => {},
      info: (o: object, m?: string) => void lines.push(`${m} ${JSON.stringify(o)}`),
      warn: (o: object, m?: string) => void lines.push(`${m} ${JSON.stringify(o)}`),
      error: () => {},
    };
    const erasedText = () => '(erased)';
    const servers = [
      createTeamsOnlyServer(h.surface, h.logger, [createAuditRoute({ store: h.store, adminToken: token, erasedText, logger })]),
      createTeamsOnlyServer(h.surface, h.logger, [createAuditRoute({ store: h.store, erasedText, logger })]),
    ];
    try {
      const [on, off] = await Promise.all(
        servers.map(
          (s) =>
            new Promise<string>((resolve) =>
              s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
            ),
        ),
      );
      const auth = { Authorization: `Bearer ${token}` };
      const ok = await fetch(`${on}/runs/${runId}/audit`, { headers: auth });
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { rows: { action: string }[]; timeZone: unknown };
      expect(body.rows.map((r) => r.action)).toEqual((await h.store.audit(runId)).map((e) => e.action));
      expect(body.timeZone).toEqual({ id: 'Europe/Paris', source: 'default' });
      expect((await fetch(`${on}/runs/${runId}/audit`)).status).toBe(401);
      expect((await fetch(`${on}/runs/${runId}/audit`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
      expect((await fetch(`${on}/runs/NOPE0000/audit`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${on}/runs/${runId}/audit`, { method: 'POST', headers: auth })).status).toBe(405);
      expect((await fetch(`${on}/healthz`)).status).toBe(200); // the server's own routes still answer
      const disabled = await fetch(`${off}/runs/${runId}/audit`, { headers: auth });
      expect(disabled.status).toBe(404);
      expect(await disabled.text()).toContain('ADMIN_TOKEN is not set');
      expect(lines.some((l) => l.startsWith('ADMIN_TOKEN is not set: GET /runs/:id/audit is disabled'))).toBe(true);
      expect(lines.join('\n')).not.toContain(token);
    } finally {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    }
  });
});
