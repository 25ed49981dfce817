/**
 * Posts a run's audit trail as a CSV file in the run's Slack thread (issue 5, `audit RUN`).
 *
 * Slack facts (`@slack/web-api` 7+/8 `files.uploadV2`, Slack docs "Uploading files"): the helper
 * calls `files.getUploadURLExternal` (`filename`, `length` in bytes) which answers `upload_url`
 * and `file_id`, then POSTs the bytes to `upload_url` (multipart, field `body`), then
 * `files.completeUploadExternal` with `files: [{ id, title }]`, `channel_id`, `thread_ts` and
 * `initial_comment`, which shares the file in the thread. Needs the bot scope `files:write`.
 * `files.upload` (v1) is retired, so this is the only way.
 */
import type { webApi } from '@slack/bolt';
import { type AuditExport, auditCsv, auditFileName } from '../../src/app/audit-export';
import type { MessageBuilder } from '../../src/messages/builder';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { SLACK_REF } from './notifier';
import { slackErrorCode } from './web-errors';
import { toMrkdwn } from './block-kit';

/** Where the file went, or Slack's error code (`not_in_channel`, `missing_scope`...). */
export type AuditUploadResult = { ok: true; channel: string; threadTs?: string; fileIds: string[] } | { ok: false; error: string };

/**
 * Uploads `exp` as `audit-<RUN>-<INSTITUTION>.csv` into the thread of the run's progress card
 * (`slack.card` ref), or the run's channel when the card was never posted, with a comment in the
 * run's language (entry count, time zone, and a note when the zone is the default one).
 * Never throws: a Slack or network failure comes back as `{ ok: false, error }`.
 */
export async function uploadAuditCsv(
  deps: { client: webApi.WebClient; store: RunStore; builder: MessageBuilder },
  run: Run,
  exp: AuditExport,
): Promise<AuditUploadResult> {
  const ref = (await deps.store.getRefs(run.id))[SLACK_REF.card] as { channel?: unknown; ts?: unknown } | undefined;
  const channel = typeof ref?.channel === 'string' ? ref.channel : run.channelId;
  const threadTs = typeof ref?.ts === 'string' ? ref.ts : undefined;
  const L = run.details.language;
  const comment = [
    deps.builder.t(L, 'audit.comment', {
      runId: run.id,
      institutionCode: run.details.institutionCode,
      count: exp.rows.length,
      timeZone: exp.timeZone.id,
    }),
    ...(exp.timeZone.source === 'default' ? [deps.builder.t(L, 'audit.time_zone_default', { timeZone: exp.timeZone.id })] : []),
  ]
    .map(toMrkdwn)
    .join('\n');
  const filename = auditFileName(exp);
  try {
    const file = { content: auditCsv(exp), filename, title: filename, initial_comment: comment, snippet_type: 'csv' };
    const res = (await (threadTs
      ? deps.client.files.uploadV2({ ...file, channel_id: channel, thread_ts: threadTs })
      : deps.client.files.uploadV2({ ...file, channel_id: channel }))) as { files?: { files?: { id?: string }[] }[] };
    const fileIds = (res.files ?? []).flatMap((c) => (c.files ?? []).map((f) => f.id ?? '')).filter(Boolean);
    return { ok: true, channel, ...(threadTs ? { threadTs } : {}), fileIds };
  } catch (err) {
    return { ok: false, error: slackErrorCode(err) ?? (err instanceof Error ? err.message.slice(0, 200) : 'unknown') };
  }
}
