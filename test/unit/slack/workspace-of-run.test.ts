/**
 * OAuth mode: the workspace a Slack run's messages go to when the run has no `slack.workspace`
 * ref yet (its first delivery made by another replica's outbox poll, outside any request, or by a
 * request of another workspace such as support's click in the desk): the organisation recorded
 * on the run at its start (`Run.org`), never the workspace of whoever happens to deliver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentWorkspace, WORKSPACE_REF, WorkspaceNotifier, workspaceScope } from '../../../adapters/slack/oauth/workspaces';
import type { WorkspaceKey } from '../../../adapters/slack/oauth/installation-store';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { isDeliveryBlocked } from '../../../src/ports/chat-notifier.port';
import { silentLogger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import { dummyRun } from '../../fixtures/dummy-run';

let store: RunStore;
let seen: (WorkspaceKey | undefined)[];
let notifier: WorkspaceNotifier;
const installed = new Set(['T0ACME', 'T0DESK', 'E0GRID']);

beforeEach(() => {
  store = openSqliteRunStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-of-run-')), 'runs.db'));
  seen = [];
  notifier = new WorkspaceNotifier({
    inner: { deliver: () => Promise.resolve(void seen.push(currentWorkspace())) },
    store,
    tokens: {
      find: (w) =>
        Promise.resolve(
          installed.has(w.teamId ?? w.enterpriseId ?? '') ? { bot: { token: `fakebot-${w.teamId ?? w.enterpriseId}` } } : undefined,
        ),
    },
    logger: silentLogger,
  });
});
afterEach(() => store.close());

test("outside any request: the run's organisation, remembered as its ref", async () => {
  const run = dummyRun({ org: 'slack:T0ACME' });
  await notifier.deliver(run, { type: 'card' });
  expect(seen).toEqual([{ teamId: 'T0ACME' }]);
  expect((await store.getRefs(run.id))[WORKSPACE_REF]).toEqual({ teamId: 'T0ACME' });
});

test("in a request of another workspace (the support desk's): still the run's own", async () => {
  const run = dummyRun({ org: 'slack:T0ACME' });
  await workspaceScope({ teamId: 'T0DESK' }, () => notifier.deliver(run, { type: 'card' }));
  expect(seen).toEqual([{ teamId: 'T0ACME' }]);
});

test("in a request of the run's workspace: that request's details (an org-wide install's enterprise kept)", async () => {
  const run = dummyRun({ org: 'slack:E0GRID' });
  await workspaceScope({ enterpriseId: 'E0GRID', isEnterpriseInstall: true }, () => notifier.deliver(run, { type: 'card' }));
  expect(seen).toEqual([{ enterpriseId: 'E0GRID', isEnterpriseInstall: true }]);
  const outside = dummyRun({ id: 'RUN0GRID', org: 'slack:E0GRID' });
  await notifier.deliver(outside, { type: 'card' });
  expect(seen[1]).toEqual({ enterpriseId: 'E0GRID', isEnterpriseInstall: true });
});

test('a run stored before organisations were recorded: the current request, else blocked (kept in the outbox)', async () => {
  const legacy = dummyRun();
  await workspaceScope({ teamId: 'T0ACME' }, () => notifier.deliver(legacy, { type: 'card' }));
  expect(seen).toEqual([{ teamId: 'T0ACME' }]);
  const other = dummyRun({ id: 'RUN0OLD2' });
  const err: unknown = await notifier.deliver(other, { type: 'card' }).catch((e: unknown) => e);
  expect(isDeliveryBlocked(err)).toBe(true);
});
