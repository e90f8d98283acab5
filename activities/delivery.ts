/**
 * The deliver activity: one attempt at one request. Failures are classified here, where they
 * are known: transient ones are thrown as retryable with the next delay (honouring
 * Retry-After), permanent ones as non-retryable with a stable type (src/model/failure-types.ts).
 * The workflow runs the first attempt as a local activity and, when it fails transiently, the
 * rest as a regular activity whose retry policy runs the next attempt after the delay set here.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { HOPS_HEADER } from '../src/model/canonical-event';
import type { CircuitBreakerSettings } from '../src/model/destination';
import type { DeliveryWatch } from './breaker-watch';
import type { ConfigStore } from '../src/config/store';
import type { SendHeaders } from '../src/destinations/connector';
import { TokenRequestError, type CredentialProvider } from '../src/destinations/credentials';
import { FailureType, type DeliveryFailureDetails } from '../src/model/failure-types';
import type { HttpClient, HttpResponse } from '../src/http/client';
import { ConcurrencyWaitAborted } from '../src/http/limiter';
import { BlockedAddressError } from '../src/http/outbound-guard';
import { UNKNOWN_DESTINATION, type AttemptOutcome, type DeliveryMetrics } from '../src/telemetry/metrics';
import { credentialSecretValues, scrubSecrets } from '../src/payloads/scrub';
import { backoffDelayMs, parseRetryAfterMs } from './backoff';
import { deliveryFailure } from './failure';
import { destinationOrFail } from './planning';
import { attemptSecrets } from './secrets';
import type { DeliverInput, DeliveryReceipt } from './types';

export interface DeliveryDeps {
  store: ConfigStore;
  http: HttpClient;
  credentials: CredentialProvider;
  backoff: { initialMs: number; maxMs: number };
  random: () => number;
  userAgent: string;
  /** Where attempts, outcomes, latencies and slot waits are counted (absent: not counted). */
  metrics?: DeliveryMetrics;
  /** The circuit breaker and delivery alerts (./breaker-watch.ts); absent without a database. */
  watch?: DeliveryWatch;
}

/** What the metrics learn during an attempt: the destination's label once resolved, the slot wait. */
interface AttemptProbe {
  label: string;
  /** The destination's circuit breaker settings, once it is resolved (the breaker counts only attempts made). */
  breaker?: CircuitBreakerSettings;
  onSlotWait?: (waitMs: number) => void;
}

/** The attempt outcome a failure thrown by `deliver` stands for; undefined for a paused destination (a hold, not an attempt). */
function outcomeOf(e: unknown): AttemptOutcome | undefined {
  if (!(e instanceof ApplicationFailure)) return 'retried'; // unexpected errors: Temporal retries the activity
  if (e.type === FailureType.DestinationPaused) return undefined;
  if (e.type === FailureType.RetryWindowExhausted) return 'failed_retry_window';
  return e.nonRetryable ? 'failed_permanent' : 'retried';
}

/**
 * Count one attempt. A delivery settles on a failure, or on the 2xx to its last request: then
 * it is counted by outcome, its latency from acceptance observed (2xx), and a breach of its SLA
 * counted when it settled after the deadline. The activity counts breaches (not the workflow's
 * SLA timer) because workflow code cannot reach prom-client and an extra activity would cost
 * Temporal actions; a delivery still retrying past its deadline is counted when it settles.
 */
function record(m: DeliveryMetrics, input: DeliverInput, destination: string, outcome: AttemptOutcome, seconds: number): void {
  m.attempts.inc({ destination, outcome });
  m.attemptSeconds.observe({ destination, outcome }, seconds);
  if (outcome === 'retried' || (outcome === 'delivered' && input.lastRequest === false)) return;
  m.deliveries.inc({ destination, outcome });
  if (input.acceptedAtMs === undefined) return;
  const now = Date.now();
  if (outcome === 'delivered') m.latencySeconds.observe({ destination }, Math.max(0, now - input.acceptedAtMs) / 1000);
  if (input.slaSeconds !== undefined && now > input.acceptedAtMs + input.slaSeconds * 1000) m.slaBreaches.inc({ destination, outcome });
}

function blockedAddress(e: unknown): BlockedAddressError | undefined {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    if (cur instanceof BlockedAddressError) return cur;
  }
  return undefined;
}

/** Kept free at the end of an attempt: a request is started only if its timeout ends this much before the activity's. */
const ATTEMPT_MARGIN_MS = 5000;

export function createDeliveryActivities(deps: DeliveryDeps) {
  const { store, http, credentials, backoff, random, userAgent, metrics } = deps;
  const once = {
    /** One delivery attempt; the workflow's retry policy runs the next one after the delay we set. */
    async deliver(input: DeliverInput, probe: AttemptProbe): Promise<DeliveryReceipt> {
      const info = Context.current().info;
      // A request is only sent when it can finish inside the attempt: the wait for a connection
      // slot is bounded by what the attempt's timeout leaves after the request's own, so the
      // attempt never times out (and is retried, a duplicate) while a request is in flight.
      const timeoutMs = input.timeoutSeconds * 1000;
      const attemptEndsAt = Date.now() + (info.startToCloseTimeoutMs || 2 * timeoutMs + 25_000) - ATTEMPT_MARGIN_MS;
      const attempt = info.attempt + (input.attemptsBefore ?? 0);
      if (input.checkPaused && (await store.destinationState(input.destination)) === 'paused') {
        throw deliveryFailure(FailureType.DestinationPaused, `${input.destination} is paused`, { attempt: attempt - 1 }, true);
      }
      const { destination, connector } = await destinationOrFail(store, input.destination, input.destinationVersion, attempt);
      probe.breaker = destination.circuitBreaker ?? {};
      if (metrics) {
        const label = (probe.label = metrics.destinationLabel(destination.name));
        probe.onSlotWait = (ms) => metrics.slotWaitSeconds.observe({ destination: label }, ms / 1000);
      }
      // Settings from the version just resolved (pinned by the run); secret values from the
      // destination as it is now, so a rotation reaches this attempt (./secrets.ts).
      const secrets = await attemptSecrets(store, destination);
      let sentAuth: SendHeaders | undefined;
      /**
       * What the destination said, fit for history and logs: without any secret the destination,
       * its credential set or the sent headers hold (README "Payloads and PII"). Only on failure.
       */
      const scrub = async (text: string): Promise<string> => {
        const auth = (destination.settings as { auth?: unknown }).auth;
        const credential = typeof auth === 'string' ? await store.getCredential(auth).catch(() => undefined) : undefined;
        return scrubSecrets(text, [
          ...Object.values(secrets),
          ...Object.values(sentAuth?.headers ?? {}),
          ...credentialSecretValues(credential),
        ]);
      };

      const send = async (forceRefresh: boolean, rejected?: string): Promise<{ res: HttpResponse; auth: SendHeaders }> => {
        const auth = await connector.sendHeaders({
          destination,
          request: input.request,
          idempotencyKey: input.idempotencyKey,
          secrets,
          credentials,
          nowSeconds: Math.floor(Date.now() / 1000),
          forceRefresh,
          ...(rejected !== undefined ? { rejected } : {}),
        });
        const res = await http.send({
          method: input.request.method,
          url: input.request.url,
          headers: {
            ...input.request.headers,
            'user-agent': userAgent,
            'webhook-id': input.idempotencyKey,
            [HOPS_HEADER]: String((input.hops ?? 0) + 1),
            ...auth.headers,
          },
          body: input.request.body,
          timeoutMs,
          pool: { key: destination.name, maxConnections: destination.maxConnections, shared: true },
          slotWaitMs: Math.max(0, attemptEndsAt - Date.now() - timeoutMs),
          restricted: true,
          ...(probe.onSlotWait ? { onSlotWait: probe.onSlotWait } : {}),
        });
        sentAuth = auth;
        return { res, auth };
      };

      const started = Date.now();
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let problem: string;
      try {
        let { res, auth } = await send(false);
        if (res.status === 401 && auth.refreshable) {
          log.info('destination answered 401; refreshing the OAuth token and retrying once', { destination: destination.name });
          ({ res, auth } = await send(true, auth.headers.authorization));
        }
        status = res.status;
        const verdict = connector.classify(res.status);
        if (verdict === 'delivered') return { httpStatus: res.status, attempt, durationMs: Date.now() - started };
        if (verdict === 'gone') {
          log.warn('destination answered 410 Gone', { destination: destination.name });
          throw deliveryFailure(
            FailureType.DestinationGone,
            `${destination.name} answered 410 Gone`,
            { httpStatus: 410, attempt, responseSnippet: await scrub(res.body) },
            true,
          );
        }
        if (verdict === 'permanent') {
          throw deliveryFailure(
            FailureType.DestinationRejected,
            `${destination.name} answered ${res.status}`,
            { httpStatus: res.status, attempt, responseSnippet: await scrub(res.body) },
            true,
          );
        }
        retryAfterMs = parseRetryAfterMs(res.headers['retry-after'], Date.now());
        problem = `${destination.name} answered ${res.status}`;
      } catch (e) {
        if (e instanceof ApplicationFailure) throw e;
        const blocked = blockedAddress(e);
        if (blocked)
          throw deliveryFailure(FailureType.DestinationAddressRefused, `${destination.name}: ${blocked.message}`, { attempt }, true);
        if (e instanceof TokenRequestError && !e.retryable) {
          throw deliveryFailure(FailureType.AuthenticationFailed, `${destination.name}: ${e.message}`, { attempt }, true);
        }
        // No slot came free: nothing was sent, so the retry cannot duplicate anything.
        problem =
          e instanceof ConcurrencyWaitAborted
            ? `${destination.name}: ${e.message}`
            : `${destination.name} unreachable: ${await scrub((e as Error).message)}`;
      }

      const delayMs = Math.max(100, retryAfterMs ?? backoffDelayMs(attempt, backoff, random));
      const elapsedMs = Date.now() - (input.firstAttemptAtMs ?? info.scheduledTimestampMs);
      const details: DeliveryFailureDetails = { attempt, ...(status !== undefined ? { httpStatus: status } : {}) };
      if (elapsedMs + delayMs > input.retryWindowSeconds * 1000) {
        throw deliveryFailure(
          FailureType.RetryWindowExhausted,
          `${problem}; retry window of ${input.retryWindowSeconds}s exhausted after ${attempt} attempts`,
          details,
          true,
        );
      }
      throw deliveryFailure(FailureType.DestinationUnavailable, problem, { ...details, retryInMs: delayMs }, false, delayMs);
    },
  };
  return {
    /** One attempt (above), counted in the worker's delivery metrics, then seen by the breaker and alerts. */
    async deliver(input: DeliverInput): Promise<DeliveryReceipt> {
      const probe: AttemptProbe = { label: UNKNOWN_DESTINATION };
      if (!deps.watch) return counted(input, probe);
      const info = Context.current().info;
      const run = {
        workflowId: info.workflowExecution?.workflowId ?? '',
        runId: info.workflowExecution?.runId ?? '',
        activityId: info.activityId,
      };
      try {
        const receipt = await counted(input, probe);
        await deps.watch.after(input, run, probe.breaker, undefined);
        return receipt;
      } catch (e) {
        throw await deps.watch.after(input, run, probe.breaker, e);
      }
    },
  };

  async function counted(input: DeliverInput, probe: AttemptProbe): Promise<DeliveryReceipt> {
    if (!metrics) return once.deliver(input, probe);
    const started = performance.now();
    try {
      const receipt = await once.deliver(input, probe);
      record(metrics, input, probe.label, 'delivered', (performance.now() - started) / 1000);
      return receipt;
    } catch (e) {
      const outcome = outcomeOf(e);
      if (outcome) record(metrics, input, probe.label, outcome, (performance.now() - started) / 1000);
      throw e;
    }
  }
}
