/**
 * The product's Prometheus metrics (prom-client), on a registry of their own, with prom-client's
 * default process metrics. Counters and the histograms count what this process did (Prometheus
 * sums replicas); the gauges (`digitick_runs`, `digitick_outbox_*`) are read from the database at
 * each scrape (`refresh`), so every replica reports the same truth.
 *
 * Metric names (issue 11):
 * - `digitick_runs{status,step}` gauge; `digitick_outbox_pending` gauge; `digitick_outbox_oldest_age_seconds` gauge;
 * - `digitick_steps_completed_total{step}`; `digitick_verifications_total{outcome}`;
 *   `digitick_verification_checks_total{check,outcome}` (outcome: passed, failed, skipped, to_confirm, ...);
 * - `digitick_secutix_call_duration_seconds{method,outcome}` histogram (outcome `ok` or the error kind);
 * - `digitick_deliveries_failed_total{surface}`; `digitick_reminders_sent_total{kind}`;
 * - `digitick_http_request_duration_seconds{surface,kind}` histogram: from request to answer (Slack's ack latency);
 * - `digitick_store_up` gauge: 1 when the last read of the database for the gauges above succeeded, 0
 *   when it failed. During an outage the database gauges keep the values of the last successful read
 *   (the oldest message's age keeps growing from it); before any successful read they are absent,
 *   never a false 0.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RunStoreStats } from '../../src/ports/run-store.port';

/** The metrics and the calls that feed them. */
export class Metrics {
  readonly registry = new Registry();
  // The database gauges join the registry at the first successful read (absent before: no false 0).
  private readonly runs = new Gauge({
    name: 'digitick_runs',
    help: 'Runs per status and current step (from the database; the last values read while it does not answer)',
    labelNames: ['status', 'step'],
    registers: [],
  });
  private readonly outboxPending = new Gauge({
    name: 'digitick_outbox_pending',
    help: 'Messages waiting for delivery, given-up ones excluded (from the database; the last value read while it does not answer)',
    registers: [],
  });
  private readonly outboxOldest = new Gauge({
    name: 'digitick_outbox_oldest_age_seconds',
    help: 'Age of the oldest message waiting for delivery, 0 when none (from the database; grows from the last read while it does not answer)',
    registers: [],
  });
  private readonly storeUp = new Gauge({
    name: 'digitick_store_up',
    help: '1 when the last database read for the gauges succeeded, 0 when the database did not answer',
    registers: [this.registry],
  });
  /** The last successful read (undefined before the first). */
  private last: RunStoreStats | undefined;
  private readonly steps = new Counter({
    name: 'digitick_steps_completed_total',
    help: 'Steps closed (done, skipped, verified...)',
    labelNames: ['step'],
    registers: [this.registry],
  });
  private readonly verifications = new Counter({
    name: 'digitick_verifications_total',
    help: 'Run verifications by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly checks = new Counter({
    name: 'digitick_verification_checks_total',
    help: 'Checks of run verifications by check and outcome',
    labelNames: ['check', 'outcome'],
    registers: [this.registry],
  });
  private readonly secutix = new Histogram({
    name: 'digitick_secutix_call_duration_seconds',
    help: 'SecuTix web service calls (with retries and polls), by method and outcome',
    labelNames: ['method', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly deliveriesFailed = new Counter({
    name: 'digitick_deliveries_failed_total',
    help: 'Failed outbox delivery attempts (retried later), by surface',
    labelNames: ['surface'],
    registers: [this.registry],
  });
  private readonly reminders = new Counter({
    name: 'digitick_reminders_sent_total',
    help: 'Reminders delivered, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly http = new Histogram({
    name: 'digitick_http_request_duration_seconds',
    help: 'Time from request to answer of Slack and Teams requests (the ack latency), by surface and kind',
    labelNames: ['surface', 'kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  stepCompleted(step: string): void {
    this.steps.inc({ step });
  }
  verification(outcome: string, checks: readonly { id: string; outcome: string }[]): void {
    this.verifications.inc({ outcome });
    for (const c of checks) this.checks.inc({ check: c.id, outcome: c.outcome });
  }
  secutixCall(method: string, outcome: string, seconds: number): void {
    this.secutix.observe({ method, outcome }, seconds);
  }
  deliveryFailed(surface: string): void {
    this.deliveriesFailed.inc({ surface });
  }
  reminderSent(kind: string): void {
    this.reminders.inc({ kind });
  }
  httpRequest(surface: string, kind: string, seconds: number): void {
    this.http.observe({ surface, kind }, seconds);
  }

  /** Sets the gauges from one read of the store (`nowMs` for the outbox age); `digitick_store_up` 1. */
  refresh(stats: RunStoreStats, nowMs: number): void {
    if (!this.last) for (const g of [this.runs, this.outboxPending, this.outboxOldest]) this.registry.registerMetric(g);
    this.last = stats;
    this.runs.reset();
    for (const r of stats.runs) this.runs.set({ status: r.status, step: r.step ?? 'none' }, r.count);
    this.outboxPending.set(stats.outboxPending);
    this.setOldestAge(nowMs);
    this.storeUp.set(1);
  }

  /**
   * The store did not answer: `digitick_store_up` 0; the database gauges keep the last values read
   * (the oldest waiting message's age grows from that read: nothing is delivered without the database).
   */
  storeDown(nowMs: number): void {
    this.storeUp.set(0);
    if (this.last) this.setOldestAge(nowMs);
  }

  private setOldestAge(nowMs: number): void {
    const at = this.last?.outboxOldestCreatedAt;
    const oldest = at ? Date.parse(at) : NaN;
    this.outboxOldest.set(Number.isFinite(oldest) ? Math.max(0, (nowMs - oldest) / 1000) : 0);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
