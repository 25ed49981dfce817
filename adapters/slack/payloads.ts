/**
 * zod schemas of the Slack payloads this surface reads (parse at the edge, never cast), the
 * modal `private_metadata` format, and the slash command's text grammar.
 *
 * Payload shapes: Slack's "Slash commands", "block_actions" and "view_submission" references.
 * Only the fields used are declared; unknown fields are ignored.
 */
import { z } from 'zod';
import { LOCALES, STEP_IDS, type StepId } from '../../src/domain/ids';
import { isRunId } from '../../src/messages/action-value';

const userSchema = z.object({ id: z.string().min(1), name: z.string().optional(), username: z.string().optional() });

/** The slash command body (form fields). */
export const slashCommandSchema = z.object({
  command: z.string(),
  text: z.string().default(''),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  channel_id: z.string().min(1),
  channel_name: z.string().optional(),
  trigger_id: z.string().min(1),
  response_url: z.string().optional(),
});
export type SlashCommand = z.infer<typeof slashCommandSchema>;

/**
 * One input's state in `view.state.values[block_id][action_id]`. A value of the wrong type is
 * read as empty (`formValues`), so the form answers on that field instead of refusing the form.
 */
const inputStateSchema = z.object({
  type: z.string(),
  value: z.unknown().optional(),
  selected_option: z.unknown().optional(),
});

/** A `view_submission` payload. */
export const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: userSchema,
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), inputStateSchema)) }),
  }),
});
export type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

/** A `block_actions` payload (buttons only). */
export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: userSchema,
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z
    .object({ channel_id: z.string().optional(), message_ts: z.string().optional(), is_ephemeral: z.boolean().optional() })
    .optional(),
  response_url: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.unknown().optional() })).min(1),
});
export type BlockActions = z.infer<typeof blockActionsSchema>;

/**
 * The typed values of a submitted modal by input id: `block_id` = `action_id` = input id
 * (`chat-contract.md`). Text inputs give `value`, selects `selected_option.value`; empty, or not
 * a string, is null.
 */
export function formValues(values: ViewSubmission['view']['state']['values']): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const input = actions[blockId] ?? Object.values(actions)[0];
    if (!input) continue;
    const option = input.selected_option as { value?: unknown } | null | undefined;
    const selected = typeof option === 'object' && option !== null && typeof option.value === 'string' ? option.value : undefined;
    out[blockId] = selected ?? (typeof input.value === 'string' ? input.value : null);
  }
  return out;
}

/**
 * `private_metadata` of the start modal: the channel of the command, its `response_url`, and the
 * language the form was shown in (the user's own: its field errors and answers use it too).
 */
export const startMetadataSchema = z.object({
  c: z.string().min(1).max(40),
  r: z.string().max(500).optional(),
  l: z.enum(LOCALES).optional(),
});
export type StartMetadata = z.infer<typeof startMetadataSchema>;

/** `private_metadata` of a run's modal: the run and the step the form belongs to. */
export const runMetadataSchema = z.object({
  run: z.string().refine(isRunId),
  step: z.enum(STEP_IDS),
});
export type RunFormMetadata = { run: string; step: StepId };

/** Parses a modal's `private_metadata` JSON with `schema`; null when it is not ours. */
export function parseMetadata<T>(schema: z.ZodType<T>, raw: string): T | null {
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** What `/digitick-onboard <text>` asks for (`product.md`, "Commands"). */
export type ParsedCommand =
  | { kind: 'start'; institutionCode?: string }
  | { kind: 'help' }
  | { kind: 'product'; productCode?: string }
  /** `check INSTITUTION [CHANNEL]`: the words as typed (validated by the surface), control characters made visible. */
  | { kind: 'check'; institution?: string; channel?: string }
  | { kind: 'status'; runId?: string }
  | { kind: 'resume'; runId?: string }
  | { kind: 'cancel'; runId?: string }
  | { kind: 'audit'; runId?: string }
  | { kind: 'unknown'; word: string };

/**
 * Parses the command text: none or `start [INSTITUTION]`, `help`, `status [RUN]`, `resume RUN`,
 * `cancel RUN`, `audit RUN`, `product [CODE]`,
 * `check INSTITUTION [CHANNEL]`. Words are case-insensitive; run ids are upper-cased.
 */
export function parseCommandText(text: string): ParsedCommand {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const word = (words[0] ?? '').toLowerCase();
  const arg = words[1];
  switch (word) {
    case '':
    case 'start':
      // Prefill the code as typed (a wrong one gets its field error at submit), but never cut one
      // longer than the field's 15 characters: that one is left for the user to type again.
      return arg && arg.length <= 15 ? { kind: 'start', institutionCode: arg.toUpperCase() } : { kind: 'start' };
    case 'help':
      return { kind: 'help' };
    case 'product':
      return arg ? { kind: 'product', productCode: visibleControls(arg.slice(0, 40)) } : { kind: 'product' };
    case 'check':
      return {
        kind: 'check',
        ...(arg ? { institution: visibleControls(arg.slice(0, 40)) } : {}),
        ...(words[2] ? { channel: visibleControls(words[2].slice(0, 40)) } : {}),
      };
    case 'status':
    case 'resume':
    case 'cancel':
    case 'audit':
      return arg ? { kind: word, runId: arg.toUpperCase() } : { kind: word };
    default:
      return { kind: 'unknown', word: visibleControls(words[0]!.slice(0, 40)) };
  }
}

/** Control characters (C0, DEL) shown as U+FFFD, so an echoed word never carries them. */
export function visibleControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
}
