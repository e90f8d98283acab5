/**
 * What the deliver activity tells the circuit breaker and the alerts after each attempt, from
 * the activity that is running anyway: workflow code cannot reach the database, and a separate
 * activity would add Temporal actions. On the healthy path this is one UPSERT that changes no
 * row (src/breaker/breaker.ts); alerts are written only when something is wrong:
 * - `delivery.failed`: the activity failed permanently, which parks the delivery's run;
 * - `delivery.sla_breached`: an attempt settled or retried past the delivery's SLA deadline.
 * A problem with the database here is logged, never thrown: a 2xx must not turn into a retry.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { RedeliveryCompleted } from './redelivery';
import type { DeliverInput } from './types';
import { deliveryFailure } from './failure';
import { FailureType, type DeliveryFailureDetails } from '../src/model/failure-types';
import { alertOnce, type Breaker } from '../src/breaker/breaker';
import type { DeliveryStats } from '../src/breaker/delivery-stats';
import type { CircuitBreakerSettings } from '../src/model/destination';

/** The failures that say the destination is down (not that this event is bad). */
const DOWN: string[] = [FailureType.DestinationUnavailable, FailureType.RetryWindowExhausted, FailureType.DestinationGone];

export interface AttemptRun {
  workflowId: string;
  runId: string;
  activityId: string;
}

export interface DeliveryWatch {
  /**
   * After an attempt: `error` undefined on a 2xx; `settings` undefined when the activity failed
   * before resolving the destination (no attempt made: not counted, but a permanent failure
   * still parks the run). Returns the error to throw (a hold when the breaker paused the destination).
   */
  after(input: DeliverInput, run: AttemptRun, settings: CircuitBreakerSettings | undefined, error: unknown): Promise<unknown>;
  /** A bulk redelivery finished: `redelivery.completed`, once per operation. */
  redeliveryCompleted?(c: RedeliveryCompleted): Promise<void>;
}

export class PgDeliveryWatch implements DeliveryWatch {
  constructor(
    private readonly breaker: Breaker,
    private readonly warn: (message: string, meta: Record<string, unknown>) => void,
    /** The console's shared delivery figures (src/breaker/delivery-stats.ts); absent: not noted. */
    private readonly stats?: DeliveryStats,
  ) {}

  async after(input: DeliverInput, run: AttemptRun, settings: CircuitBreakerSettings | undefined, error: unknown): Promise<unknown> {
    const destination = input.destination;
    this.noteStats(input, error);
    try {
      if (error === undefined) {
        await this.breaker.succeeded(destination);
        await this.slaCheck(input, run);
        return undefined;
      }
      if (!(error instanceof ApplicationFailure) || error.type === FailureType.DestinationPaused) return error;
      const details = (error.details?.[0] ?? {}) as DeliveryFailureDetails;
      await this.slaCheck(input, run);
      if (settings !== undefined && DOWN.includes(error.type ?? '')) {
        const verdict = await this.breaker.failed({
          destination,
          settings,
          gone: error.type === FailureType.DestinationGone,
          problem: error.message,
          workflowId: run.workflowId,
        });
        if (verdict === 'hold') {
          // The attempt was made (its number stays); the delivery holds like any paused one.
          return deliveryFailure(
            FailureType.DestinationPaused,
            `${destination} is paused (circuit breaker): ${error.message}`,
            details,
            true,
          );
        }
      }
      if (error.nonRetryable) {
        await alertOnce(this.breaker.pool, [run.workflowId, run.runId, run.activityId], 'delivery.failed', {
          destination,
          workflowId: run.workflowId,
          runId: run.runId,
          webhookId: input.idempotencyKey,
          failureType: error.type,
          message: error.message,
          ...(details.httpStatus !== undefined ? { httpStatus: details.httpStatus } : {}),
          ...(details.attempt !== undefined ? { attempts: details.attempt } : {}),
        });
      }
    } catch (e) {
      this.warn('circuit breaker or alert not recorded (database)', { destination, error: (e as Error).message });
    }
    return error;
  }

  async redeliveryCompleted(c: RedeliveryCompleted): Promise<void> {
    try {
      await alertOnce(this.breaker.pool, [c.operationId], 'redelivery.completed', { ...c });
    } catch (e) {
      this.warn('redelivery.completed alert not recorded (database)', { operationId: c.operationId, error: (e as Error).message });
    }
  }

  /** The attempt in the shared figures: a settled delivery (as the worker's metrics count it), a retry, or nothing for a hold. */
  private noteStats(input: DeliverInput, error: unknown): void {
    if (!this.stats) return;
    if (error !== undefined && (!(error instanceof ApplicationFailure) || error.type === FailureType.DestinationPaused)) return;
    const at = new Date();
    const failed = error instanceof ApplicationFailure;
    if (!failed && input.lastRequest === false) return; // not settled: more requests to go
    const outcome = !failed ? 'delivered' : error.nonRetryable ? 'failed' : 'retried';
    const deadline =
      input.acceptedAtMs !== undefined && input.slaSeconds !== undefined ? input.acceptedAtMs + input.slaSeconds * 1000 : undefined;
    this.stats.note({
      destination: input.destination,
      outcome,
      at,
      ...(outcome === 'delivered' && input.acceptedAtMs !== undefined ? { latencyMs: Math.max(0, at.getTime() - input.acceptedAtMs) } : {}),
      ...(outcome !== 'retried' && deadline !== undefined && at.getTime() > deadline ? { slaBreached: true } : {}),
      ...(failed ? { failure: error.message } : {}),
    });
  }

  /** Once per delivery (run and destination): the first attempt that ends past the SLA deadline. */
  private async slaCheck(input: DeliverInput, run: AttemptRun): Promise<void> {
    if (input.acceptedAtMs === undefined || input.slaSeconds === undefined) return;
    const deadline = input.acceptedAtMs + input.slaSeconds * 1000;
    if (Date.now() <= deadline) return;
    await alertOnce(this.breaker.pool, [run.workflowId, input.destination], 'delivery.sla_breached', {
      destination: input.destination,
      workflowId: run.workflowId,
      webhookId: input.idempotencyKey,
      slaSeconds: input.slaSeconds,
      acceptedAt: new Date(input.acceptedAtMs).toISOString(),
    });
  }
}
