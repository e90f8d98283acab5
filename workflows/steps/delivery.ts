/**
 * One destination's delivery within a run: map, then each request in order — the first
 * attempt as a local activity (in the run's first workflow task when the event is healthy),
 * the rest as a regular activity with the retry policy, Retry-After and the retry window. A
 * paused destination holds the delivery (no attempt, no timer) until a signal says it changed.
 */
import { ApplicationFailure, condition, isCancellation, log, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { DeliverInput, DeliveryReceipt, EnrichmentData, MappedRequest, RelayActivities } from '../../activities';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { DestinationPlan } from '../../src/model/destination';
import { FailureType, PERMANENT_DELIVERY_FAILURES } from '../../src/model/failure-types';
import { describeFailure } from './failures';
import { seconds } from './format';
import { planningOptions } from './plan';
import { raceSla, type SlaTimer } from './sla';

/** delivering → delivered | failed, or → retrying | held → … ; a redelivery starts again at delivering. */
export type DeliveryState = 'delivering' | 'retrying' | 'held' | 'delivered' | 'failed';

/**
 * How long a new hold waits for a signal before it looks at the destination once itself: a
 * resume that came between planning and the hold becoming searchable found no run to wake.
 * Longer than the visibility store's lag.
 */
const HOLD_GRACE: Duration = '30s';

export interface DeliveryContext {
  event: CanonicalEvent;
  enrichment: EnrichmentData;
  /**
   * Called after every change of state, for the run's details; `searchable` when what an
   * operator can search for changed (a delivery starting again is not: its end is).
   */
  changed(searchable: boolean): void;
}

export class Delivery {
  state: DeliveryState = 'delivering';
  /** The first attempt has resolved (or the delivery settled or held before one): the run's first pass is over for it. */
  firstPassDone = false;
  /** Attempts at the request in progress (or the last one sent). */
  attempts = 0;
  httpStatus?: number;
  latencyMs?: number;
  slaBreached = false;
  redeliveries = 0;
  requestsDelivered = 0;
  destinationVersion?: string;
  error?: { type: string; message: string };
  /** The last transient problem while retrying (for the run's details). */
  lastProblem?: string;
  private requests?: MappedRequest[];
  /** Idempotency keys of requests that got a 2xx: never sent again, not even by a redelivery. */
  private readonly delivered = new Set<string>();
  private woken = false;
  private replan = false;
  private sla?: SlaTimer;

  constructor(
    public plan: DestinationPlan,
    private readonly ctx: DeliveryContext,
  ) {}

  get name(): string {
    return this.plan.name;
  }

  get settled(): boolean {
    return this.state === 'delivered' || this.state === 'failed';
  }

  /** Map, then send each request in order. A failure settles the delivery as failed; it never throws (but cancellation). */
  async run(): Promise<void> {
    try {
      if (this.replan) await this.replanNow();
      const requests = (this.requests ??= await this.map());
      for (const [i, r] of requests.entries()) {
        if (this.delivered.has(r.idempotencyKey)) continue;
        await this.deliverRequest(r, i === requests.length - 1);
        this.delivered.add(r.idempotencyKey);
      }
      if (requests.length === 0)
        throw ApplicationFailure.nonRetryable(`${this.name} rendered no request`, FailureType.TemplateRenderFailed);
      this.requestsDelivered = requests.length;
      this.latencyMs = Date.now() - Date.parse(this.ctx.event.receivedAt);
      if (this.latencyMs > this.plan.slaSeconds * 1000) this.slaBreached = true;
      this.become('delivered');
    } catch (err) {
      if (isCancellation(err)) throw err;
      const f = describeFailure(err);
      this.error = { type: f.type, message: f.message };
      // What this failure says; an earlier answer (a 503 before a pause, say) is not its status.
      if (f.details?.httpStatus !== undefined) this.httpStatus = f.details.httpStatus;
      else delete this.httpStatus;
      if (f.details?.attempt !== undefined) this.attempts = f.details.attempt;
      log.warn('delivery failed', { destination: this.name, type: f.type, error: f.message });
      this.become('failed');
    }
  }

  /** An operator's redelivery: render with the destination as it is now; requests already delivered are skipped. */
  redeliver(): void {
    this.redeliveries++;
    this.replan = true;
    delete this.error;
    this.become('delivering');
    void this.run();
  }

  /** The destination was resumed or deleted: a held delivery looks at it again. */
  wake(): void {
    this.woken = true;
  }

  private async replanNow(): Promise<void> {
    this.replan = false;
    const plan = await this.checks().planDestination(this.name);
    if (!plan) throw ApplicationFailure.nonRetryable(`destination "${this.name}" no longer exists`, FailureType.DestinationNotFound);
    this.plan = plan;
    delete this.requests;
  }

  private async map(): Promise<MappedRequest[]> {
    const { mapEvent } = proxyLocalActivities<RelayActivities>({ ...planningOptions, summary: `map → ${this.name}` });
    // The version planned with (a redelivery's fresh plan: the current one); a change made after
    // planning does not change what this run renders.
    const mapped = await mapEvent({
      destination: this.name,
      version: this.plan.version,
      event: this.ctx.event,
      enrichment: this.ctx.enrichment,
    });
    this.destinationVersion = mapped.destinationVersion;
    return mapped.requests;
  }

  private async deliverRequest(r: MappedRequest, lastRequest: boolean): Promise<void> {
    for (;;) {
      if (this.plan.paused) await this.hold();
      if (await this.attempt(r, lastRequest)) return;
      // The retries found the destination paused: hold, then start over with a first attempt.
      this.plan = { ...this.plan, paused: true };
    }
  }

  /** A first attempt (local), then retries (a regular activity). True when delivered; false when the destination was paused meanwhile. */
  private async attempt(r: MappedRequest, lastRequest: boolean): Promise<boolean> {
    const { timeoutSeconds, retryWindowSeconds } = this.plan;
    const input: DeliverInput = {
      destination: this.name,
      ...(this.destinationVersion !== undefined ? { destinationVersion: this.destinationVersion } : {}),
      request: r.request,
      idempotencyKey: r.idempotencyKey,
      timeoutSeconds,
      retryWindowSeconds,
      ...(this.ctx.event.hops !== undefined ? { hops: this.ctx.event.hops } : {}),
      // For the worker's delivery metrics (latency from acceptance, SLA breaches); no command changes.
      acceptedAtMs: Date.parse(this.ctx.event.receivedAt),
      slaSeconds: this.plan.slaSeconds,
      lastRequest,
    };
    // One attempt may wait for a connection slot and send (timeoutSeconds), fetch an OAuth token
    // (10 s), and after a 401 refresh the token and send again.
    const startToCloseTimeout: Duration = `${2 * timeoutSeconds + 25}s`;
    const firstAttemptAtMs = Date.now();
    let attemptsBefore: number;
    try {
      const { deliver } = proxyLocalActivities<RelayActivities>({
        startToCloseTimeout,
        retry: { maximumAttempts: 1 },
        summary: `deliver → ${this.name} (first attempt)`,
      });
      this.received(await deliver(input));
      return true;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const f = describeFailure(err, 'slow');
      // The circuit breaker paused the destination after this attempt: hold.
      if (f.type === FailureType.DestinationPaused) return false;
      if (f.permanent) throw err;
      attemptsBefore = f.details?.attempt ?? 1;
      this.attempts = attemptsBefore;
      if (f.details?.httpStatus !== undefined) this.httpStatus = f.details.httpStatus;
      this.lastProblem = f.message;
      this.become('retrying');
      const waitMs = f.details?.retryInMs ?? 1000;
      const why = f.details?.httpStatus !== undefined ? `HTTP ${f.details.httpStatus}` : f.type;
      await sleep(waitMs, { summary: `${this.name}: wait ${seconds(waitMs)}, then retry (${why})` });
    }
    const { deliver } = proxyActivities<RelayActivities>({
      startToCloseTimeout,
      // The activity stops retrying itself at the window (RetryWindowExhausted); this is the backstop.
      scheduleToCloseTimeout: `${retryWindowSeconds + 15 * 60}s`,
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: PERMANENT_DELIVERY_FAILURES },
      summary: `deliver → ${this.name}`,
    });
    try {
      this.received(await deliver({ ...input, attemptsBefore, firstAttemptAtMs, checkPaused: true }));
      return true;
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (describeFailure(err).type === FailureType.DestinationPaused) return false;
      throw err;
    }
  }

  /** Wait, without attempts or timers, until the destination resumes; a deletion fails the delivery. */
  private async hold(): Promise<void> {
    this.become('held');
    this.woken = false;
    await condition(() => this.woken, HOLD_GRACE, {
      summary: `${this.name} paused: held (looks once more in ${HOLD_GRACE} unless resumed)`,
    });
    for (;;) {
      this.woken = false;
      const state = await this.checks().destinationState(this.name);
      if (state === 'deleted') {
        throw ApplicationFailure.nonRetryable(`${this.name} was deleted while a delivery to it was held`, FailureType.DestinationNotFound);
      }
      if (state !== 'paused') break;
      await condition(() => this.woken);
    }
    this.plan = { ...this.plan, paused: false };
    this.become('delivering');
  }

  private checks() {
    return proxyLocalActivities<RelayActivities>({ ...planningOptions, summary: `check ${this.name}` });
  }

  private received(receipt: DeliveryReceipt): void {
    this.attempts = receipt.attempt;
    this.httpStatus = receipt.httpStatus;
    delete this.lastProblem;
  }

  private become(state: DeliveryState): void {
    this.state = state;
    if (state !== 'delivering') this.firstPassDone = true;
    if ((state === 'retrying' || state === 'held') && !this.sla && !this.slaBreached) {
      const deadline = Date.parse(this.ctx.event.receivedAt) + this.plan.slaSeconds * 1000;
      this.sla = raceSla(deadline, `SLA of ${this.name}: ${seconds(this.plan.slaSeconds * 1000)}`, () => {
        this.slaBreached = true;
        log.warn('delivery SLA breached; still delivering', { destination: this.name, slaSeconds: this.plan.slaSeconds });
        this.ctx.changed(true);
      });
    }
    if (this.settled) {
      this.sla?.cancel();
      delete this.sla;
    }
    this.ctx.changed(state !== 'delivering');
  }
}
