/**
 * Issue 11 (QA round 2): a Teams step button (`Action.Execute`) pressed while PostgreSQL is
 * stopped. The run cannot be read, so the clicked card cannot be rebuilt: the invoke answers a
 * message (`application/vnd.microsoft.activity.message`, "try again in a moment") that does not
 * replace the card, so its text and buttons stay to try again. The real `CloudAdapter`, the fake
 * connector, the PostgreSQL store (with its unavailable-error wrapper, as `core-wiring.ts` builds
 * it) on a PRIVATE server (`test/helpers/private-postgres.ts`). Skipped with a printed message
 * when the PostgreSQL server binaries are absent.
 */
import { openPostgresRunStore } from '../../../adapters/store/postgres-run-store';
import { withUnavailableErrors } from '../../../adapters/store/unavailable-store';
import { PrivatePostgres, unavailableReason } from '../../helpers/private-postgres';
import { ALEX, actionOf, cardOf, type Conversation, invokeCard, latestWithAction, startTeamsHarness, type TeamsHarness } from './helpers';

const why = unavailableReason();
const PERSONAL: Conversation = { id: 'a:personal-outage', conversationType: 'personal' };
const START = {
  institution_code: 'demo',
  institution_name: 'Demo Theatre',
  channel_code: 'DGTK',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
};

if (why) {
  console.warn(`Teams store outage test skipped: ${why}`);
  test.skip(`skipped: ${why}`, () => undefined);
} else {
  let db: PrivatePostgres;
  let h: TeamsHarness;
  beforeAll(async () => {
    db = await PrivatePostgres.create();
    h = await startTeamsHarness({
      openStore: async () => withUnavailableErrors(await openPostgresRunStore(db.url, { connectionTimeoutMs: 1000, queryTimeoutMs: 1000 })),
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    db?.destroy();
  });

  test('a step button pressed while PostgreSQL is stopped: a message answer, the clicked card stays; the same button works once it is back', async () => {
    // Arrange: a run whose first step card is posted.
    await h.message(PERSONAL, ALEX, 'digitick-onboard start');
    const form = latestWithAction(h.connector, 'onboard_start', undefined, PERSONAL.id);
    invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(form), 'onboard_start')!, START, { replyToId: form.id }));
    const step = latestWithAction(h.connector, 'step_done', 'sales_channel', PERSONAL.id);
    const button = actionOf(cardOf(step), 'step_done')!;
    const updatesOf = () => h.connector.activities.get(step.id)?.updates;
    const updatesBefore = updatesOf();

    // Act: the database stops; the button is pressed.
    db.stop();
    let answer;
    try {
      answer = await h.invoke(PERSONAL, ALEX, button, {}, { replyToId: step.id });
    } finally {
      db.start();
    }

    // Assert: a message answer with the sentence, no card replacing the clicked one.
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(3000);
    expect(answer.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringContaining('Try again in a moment') as unknown,
    });
    expect(updatesOf()).toBe(updatesBefore);
    expect(actionOf(cardOf(h.connector.activities.get(step.id) ?? step), 'step_done')).toBeDefined();
    // Once PostgreSQL is back, the same button advances the run.
    const again = invokeCard(await h.invoke(PERSONAL, ALEX, button, {}, { replyToId: step.id }));
    expect(JSON.stringify(again)).not.toContain('Try again');
    await h.surface.idle();
    expect(latestWithAction(h.connector, 'step_done', 'point_of_sale', PERSONAL.id)).toBeDefined();
  }, 60_000);
}
