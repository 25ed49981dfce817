/**
 * Teams side of the checks without a run (issue 5, "Health check of an existing setup"):
 *
 * - `check INSTITUTION [CHANNEL]` answers an Adaptive Card form (verb `onboard_check`: password,
 *   optional contingent ids and contact number); its submit answers the report card.
 * - `product CODE` answers the product guide card with an `Action.Execute` `product_check`; it
 *   answers the form card (verb `onboard_product_check`: institution, channel, password, optional
 *   contingents), whose submit answers the product report card.
 *
 * Every answer is the invoke's card (it replaces the form in the asker's view: nothing is posted to
 * the conversation), so the report reaches only the person who asked. The password is never put
 * back into a card (field errors keep the other values only), logged or stored.
 */
import { z } from 'zod';
import {
  type HealthCheckService,
  parseCheckArgs,
  parseCheckForm,
  parseProductCheckForm,
  productCodeSchema,
} from '../../src/app/health-check';
import type { FieldErrorKeys, RawValues } from '../../src/app/forms';
import { FORM_IDS, INPUT_IDS, type Locale, LOCALES, PRODUCT_CHECK_ACTION_ID } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { FieldErrors } from '../../src/messages/model';
import type { Actor } from '../../src/workflow/types';
import { type AdaptiveCard, executeAction, renderForm, renderMessage } from './cards';
import { noteCard } from './note-card';
import { literal } from '../../src/messages/literal';

/** The verbs this module answers (`TeamsActions` hands them over). */
export const TEAMS_CHECK_VERBS: readonly string[] = [PRODUCT_CHECK_ACTION_ID, FORM_IDS.check, FORM_IDS.productCheck];

/** The data of a check card's actions (inputs merged in by Teams): parsed, never cast. */
const checkDataSchema = z.looseObject({
  institutionCode: z
    .string()
    .regex(/^[A-Z0-9]{2,15}$/)
    .optional(),
  channelCode: z
    .string()
    .regex(/^[A-Z0-9]{1,8}$/)
    .optional(),
  productCode: z
    .string()
    .regex(/^[A-Z0-9_-]{1,30}$/)
    .optional(),
  locale: z.enum(LOCALES).optional(),
});

/** One check action as the bot received it. */
export interface CheckTurn {
  verb: string;
  data: unknown;
  actor: Actor;
  locale: Locale;
  /** True in a channel (the password form then says a personal chat is the better place). */
  inChannel: boolean;
}

/** What `TeamsChecks` needs. */
export interface TeamsChecksDeps {
  health: HealthCheckService;
  builder: MessageBuilder;
}

function raw(data: Record<string, unknown>): RawValues {
  const out: RawValues = {};
  for (const id of Object.values(INPUT_IDS)) {
    const v = data[id];
    if (typeof v === 'string') out[id] = v;
  }
  return out;
}

/** Values typed so far, to put back into a form with errors: never the password. */
function keptValues(values: RawValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && k !== INPUT_IDS.operatorPassword) out[k] = v;
  return out;
}

export class TeamsChecks {
  constructor(private readonly deps: TeamsChecksDeps) {}

  private note(text: string): AdaptiveCard {
    return noteCard(text);
  }

  private translate(L: Locale, errors: FieldErrorKeys): FieldErrors {
    const out: FieldErrors = {};
    for (const [id, key] of Object.entries(errors)) if (key) out[id as keyof FieldErrors] = this.deps.builder.t(L, key);
    return out;
  }

  private refused(actor: Actor, L: Locale): AdaptiveCard | null {
    const allowed = this.deps.health.authorize({ surface: 'teams', actor });
    return allowed.ok ? null : this.note(this.deps.builder.describeError(allowed.error, L, undefined, 'teams'));
  }

  private checkForm(
    L: Locale,
    target: { institutionCode: string; channelCode: string },
    inChannel: boolean,
    errors?: FieldErrors,
    values?: RawValues,
  ): AdaptiveCard {
    const b = this.deps.builder;
    return renderForm(b.checkForm(L, target, ''), {
      data: { ...target, locale: L },
      requiredMessage: (label) => b.t(L, 'teams.form.required', { label }),
      ...(errors ? { errors } : {}),
      ...(values ? { values: keptValues(values) } : {}),
      ...(inChannel ? { hint: b.t(L, 'teams.password.channel_hint') } : {}),
    });
  }

  private productForm(L: Locale, productCode: string, inChannel: boolean, errors?: FieldErrors, values?: RawValues): AdaptiveCard {
    const b = this.deps.builder;
    return renderForm(b.productCheckForm(L, productCode, ''), {
      data: { productCode, locale: L },
      requiredMessage: (label) => b.t(L, 'teams.form.required', { label }),
      ...(errors ? { errors } : {}),
      ...(values ? { values: keptValues(values) } : {}),
      ...(inChannel ? { hint: b.t(L, 'teams.password.channel_hint') } : {}),
    });
  }

  /** The answer to `check INSTITUTION [CHANNEL]`: the form card, or a note (refused, usage). */
  commandCard(args: { institution?: string; channel?: string }, actor: Actor, L: Locale, inChannel: boolean): AdaptiveCard {
    const refused = this.refused(actor, L);
    if (refused) return refused;
    const parsed = parseCheckArgs(args.institution, args.channel);
    const b = this.deps.builder;
    if (!parsed.ok) {
      // Teams users type the words alone (no slash command): no `digitick-onboard` prefix.
      const usage = b.t(L, 'error.check.usage', { command: '' });
      return this.note(args.institution === undefined ? usage : `${b.t(L, parsed.error)} ${usage}`);
    }
    return this.checkForm(L, parsed.value, inChannel);
  }

  /** The answer to `product CODE`: the guide with a `product_check` action. */
  productCard(productCode: string, L: Locale): AdaptiveCard {
    const b = this.deps.builder;
    const code = productCodeSchema.safeParse(productCode);
    if (!code.success) return this.note(b.t(L, 'error.product_check.bad_code', { productCode: literal(productCode.slice(0, 40)) }));
    return renderMessage(b.productGuideWithCheck(L, code.data), {
      actions: [
        executeAction(
          b.productCheckButtonLabel(L, code.data),
          { verb: PRODUCT_CHECK_ACTION_ID, productCode: code.data, locale: L },
          'positive',
        ),
      ],
    });
  }

  /** Answers a check verb (`product_check`, `onboard_check`, `onboard_product_check`). Never throws for a user error. */
  async execute(turn: CheckTurn): Promise<AdaptiveCard> {
    const b = this.deps.builder;
    const parsed = checkDataSchema.safeParse(turn.data ?? {});
    if (!parsed.success) return this.note(b.t(turn.locale, 'teams.error.bad_action'));
    const data = parsed.data;
    const L = data.locale ?? turn.locale;
    const refused = this.refused(turn.actor, L);
    if (refused) return refused;
    switch (turn.verb) {
      case PRODUCT_CHECK_ACTION_ID:
        if (!data.productCode) return this.note(b.t(L, 'teams.error.bad_action'));
        return this.productForm(L, data.productCode, turn.inChannel);
      case FORM_IDS.check: {
        if (!data.institutionCode || !data.channelCode) return this.note(b.t(L, 'teams.error.bad_action'));
        const target = { institutionCode: data.institutionCode, channelCode: data.channelCode };
        const values = raw(data);
        const form = parseCheckForm(values);
        if (!form.ok) return this.checkForm(L, target, turn.inChannel, this.translate(L, form.errors), values);
        const out = await this.deps.health.check({
          surface: 'teams',
          actor: turn.actor,
          ...target,
          password: form.value.password,
          ...(form.value.contingentIds ? { contingentIds: form.value.contingentIds } : {}),
          ...(form.value.contactNumber ? { contactNumber: form.value.contactNumber } : {}),
          locale: L,
        });
        if (!out.ok) return this.note(b.describeError(out.error, L, undefined, 'teams'));
        return renderMessage(b.healthReport(L, out.value));
      }
      case FORM_IDS.productCheck: {
        if (!data.productCode) return this.note(b.t(L, 'teams.error.bad_action'));
        const values = raw(data);
        const form = parseProductCheckForm(values);
        if (!form.ok) return this.productForm(L, data.productCode, turn.inChannel, this.translate(L, form.errors), values);
        const out = await this.deps.health.checkProduct({
          surface: 'teams',
          actor: turn.actor,
          institutionCode: form.value.institutionCode,
          channelCode: form.value.channelCode,
          password: form.value.password,
          productCode: data.productCode,
          ...(form.value.contingentIds ? { contingentIds: form.value.contingentIds } : {}),
          locale: L,
        });
        if (!out.ok) return this.note(b.describeError(out.error, L, undefined, 'teams'));
        return renderMessage(b.productReport(L, out.value));
      }
      default:
        return this.note(b.t(L, 'teams.error.bad_action'));
    }
  }
}
