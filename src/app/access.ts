/**
 * Who may do what (issue 4): a pure policy built from `ALLOWED_OPERATORS` and `SUPPORT_USERS`.
 *
 * - Operators (`ALLOWED_OPERATORS`) may start runs, press step buttons (`step_done`, `step_skip`,
 *   `verify_start` / the password form, `verify_skip`, `email_sent`), resume runs and read status.
 * - Support (`SUPPORT_USERS`) alone may press `password_assigned`, and may cancel any run.
 * - Operators and support may read a run's audit trail (`audit RUN`).
 * - Operators and support may run the checks without a run (`check INSTITUTION`, the `product CODE` check).
 * - An operator may cancel only the runs they started, unless they are support.
 * - An empty list means "everyone" (the composition root logs a warning at start).
 * - The console user is always allowed: the console is local use on the operator's own machine,
 *   with no chat identity to check (`adapters/console`).
 *
 * Ids are compared case-insensitively: Slack user ids (`U...`, `W...`), Slack user group ids
 * (`S...`, passed as `principals` once the Slack adapter has resolved the acting user's
 * memberships with `usergroups.users.list`), Teams AAD object ids (GUIDs, `activity.from.aadObjectId`).
 * Enforced in one place, `RunService`; surfaces only use `commands()` to shape `help`.
 */
import type { Surface } from '../domain/ids';
import type { Actor, NotPermittedRule, Run } from '../workflow/types';
import { HELP_COMMANDS, type HelpCommand } from '../workflow/help-commands';

/** The lists of the configuration (`AppConfig.allowedOperators`, `AppConfig.supportUsers`). */
export interface AccessLists {
  /** `ALLOWED_OPERATORS`: user ids, Slack user group ids, Teams AAD object ids. Empty: everyone. */
  operators: readonly string[];
  /** `SUPPORT_USERS`: same kinds of ids. Empty: everyone. */
  support: readonly string[];
}

/** Who asks: the surface, the actor, and the extra ids the surface knows them by (Slack user groups). */
export interface Principal {
  surface: Surface;
  actor: Actor;
  /** Group ids the actor belongs to (never stored with the run or the actor). */
  principals?: readonly string[];
  /**
   * The caller's organisation (`src/domain/org.ts`: the Slack workspace, the Teams tenant,
   * `console`). In multi-organisation mode the run service shows a caller only the runs of their
   * own organisation (`RunService.load`); support's actions on support requests excepted.
   */
  org?: string;
}

/**
 * What is asked. `step` covers every step button and form (`step_done`, `step_skip`,
 * `verify_skip`, `email_sent`); `verify` is `verify_start` and the password form.
 */
export type AccessOperation =
  | { op: 'start' }
  | { op: 'step' }
  | { op: 'verify' }
  | { op: 'password_assigned' }
  | { op: 'cancel'; run: Pick<Run, 'startedBy'> }
  | { op: 'resume' }
  | { op: 'status' }
  /** Reading a run's whole audit trail (`audit RUN`, `GET /runs/:id/audit` has its own token). */
  | { op: 'audit' }
  /** A check without a run: `check INSTITUTION [CHANNEL]` and the `product CODE` check (`HealthCheckService`). */
  | { op: 'check' };

/** The decision: allowed, or refused with the rule that refused (message key `refusal.not_permitted.<rule>`). */
export type AccessDecision = { allowed: true } | { allowed: false; rule: NotPermittedRule };

export { HELP_COMMANDS, type HelpCommand } from '../workflow/help-commands';

const ALLOWED: AccessDecision = { allowed: true };
const norm = (id: string): string => id.trim().toLowerCase();

export class AccessPolicy {
  private readonly operators: ReadonlySet<string>;
  private readonly support: ReadonlySet<string>;

  constructor(private readonly lists: AccessLists) {
    this.operators = new Set(lists.operators.map(norm).filter(Boolean));
    this.support = new Set(lists.support.map(norm).filter(Boolean));
  }

  /** A policy with both lists empty: everyone may do everything (tests, local use). */
  static open(): AccessPolicy {
    return new AccessPolicy({ operators: [], support: [] });
  }

  /** Which lists are empty (= open to everyone): the composition root warns about each at start. */
  get openTo(): { operators: boolean; support: boolean } {
    return { operators: this.operators.size === 0, support: this.support.size === 0 };
  }

  /** Every id of both lists as configured (adapters pick the group ids they must resolve). */
  listedIds(): string[] {
    return [...new Set([...this.lists.operators, ...this.lists.support].map((s) => s.trim()).filter(Boolean))];
  }

  private static matches(list: ReadonlySet<string>, p: Principal): boolean {
    if (list.has(norm(p.actor.id))) return true;
    return (p.principals ?? []).some((id) => list.has(norm(id)));
  }

  /** The console is local use: its user is always allowed. */
  private static local(p: Principal): boolean {
    return p.surface === 'console';
  }

  /** In `ALLOWED_OPERATORS` (or the list is empty). */
  isOperator(p: Principal): boolean {
    return AccessPolicy.local(p) || this.operators.size === 0 || AccessPolicy.matches(this.operators, p);
  }

  /** In `SUPPORT_USERS` (or the list is empty). */
  isSupport(p: Principal): boolean {
    return AccessPolicy.local(p) || this.support.size === 0 || AccessPolicy.matches(this.support, p);
  }

  /**
   * Named in a non-empty `SUPPORT_USERS` (support who is not necessarily an operator). Also the
   * only support whose actions on a support request cross organisations (multi-organisation
   * mode): an empty list makes everyone support, which must not open other organisations' runs.
   */
  isListedSupport(p: Principal): boolean {
    return this.support.size > 0 && AccessPolicy.matches(this.support, p);
  }

  /** The decision for one operation. Pure; never throws. */
  decide(p: Principal, what: AccessOperation): AccessDecision {
    switch (what.op) {
      case 'start':
      case 'step':
      case 'verify':
      case 'resume':
        return this.isOperator(p) ? ALLOWED : { allowed: false, rule: 'operator' };
      case 'password_assigned':
        return this.isSupport(p) ? ALLOWED : { allowed: false, rule: 'support' };
      case 'status':
      case 'audit':
      case 'check':
        return this.isOperator(p) || this.isSupport(p) ? ALLOWED : { allowed: false, rule: 'operator' };
      case 'cancel': {
        // Listed support may cancel any run; an operator their own runs, or any run when
        // everyone counts as support (empty SUPPORT_USERS).
        if (this.isListedSupport(p)) return ALLOWED;
        if (!this.isOperator(p)) return { allowed: false, rule: 'operator' };
        if (this.isSupport(p) || norm(what.run.startedBy.id) === norm(p.actor.id)) return ALLOWED;
        return { allowed: false, rule: 'own_run' };
      }
    }
  }

  /**
   * The commands `help` lists for this caller: `start` and `resume` for operators, `status`,
   * `audit` and `check` for operators and support, `cancel` for operators and listed support, `product` and
   * `help` for all.
   */
  commands(p: Principal): HelpCommand[] {
    const operator = this.isOperator(p);
    const visible: Record<HelpCommand, boolean> = {
      start: operator,
      status: operator || this.isSupport(p),
      resume: operator,
      cancel: operator || this.isListedSupport(p),
      audit: operator || this.isSupport(p),
      check: operator || this.isSupport(p),
      product: true,
      help: true,
    };
    return HELP_COMMANDS.filter((c) => visible[c]);
  }
}
