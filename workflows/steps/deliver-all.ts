/**
 * Step "deliver to every destination": each destination's delivery in parallel, then the run's
 * outcome. All delivered: the run completes. A delivery failed: the run parks — open, found by
 * `RelayFailedDestinations`, waiting for a `redeliver` or `abandon` Update — and after the
 * parking period ends as Failed, its failure carrying every destination's result.
 */
import { ApplicationFailure, condition, log, setHandler } from '@temporalio/workflow';
import type { EnrichmentData } from '../../activities';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { DestinationPlan } from '../../src/model/destination';
import { FailureType } from '../../src/model/failure-types';
import {
  abandonUpdate,
  destinationChangedSignal,
  redeliverUpdate,
  type AbandonRequest,
  type RedeliverRequest,
  type RefusalCode,
} from '../messages';
import type { DestinationResult, RelayEventOutcome, RelayEventResult } from '../types';
import { RunBoard, runStatus } from './board';
import { Delivery } from './delivery';
import { minute } from './format';

/**
 * An operator's Update that cannot be carried out: nothing was sent or changed. `code` (in the
 * failure's details) is what the management API answers with; see RefusalCode in ../messages.
 */
function refused(code: RefusalCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'UpdateRefused', nonRetryable: true, details: [{ code }] });
}

export async function deliverAll(event: CanonicalEvent, plans: DestinationPlan[], enrichment: EnrichmentData): Promise<RelayEventResult> {
  const board = new RunBoard();
  let dirty = false;
  let parked = false;
  let parkedUntil: string | undefined;
  let redelivered = false;
  let abandonReason: string | undefined;
  const deliveries: Delivery[] = [];
  const changed = (searchable: boolean) => {
    if (searchable) dirty = true;
    board.describe(runStatus(deliveries), deliveries, parked ? parkedUntil : undefined);
  };
  for (const plan of plans) deliveries.push(new Delivery(plan, { event, enrichment, changed }));
  const byName = (name: string) => deliveries.find((d) => d.name === name);
  const failedNames = () => deliveries.filter((d) => d.state === 'failed').map((d) => d.name);
  const named = (request: RedeliverRequest) => [...new Set(request.destinations ?? failedNames())];

  setHandler(
    redeliverUpdate,
    (request: RedeliverRequest = {}) => {
      const names = named(request);
      for (const name of names) byName(name)?.redeliver();
      log.info('redelivering', { destinations: names });
      // A parked run leaves its wait; a failed delivery redelivered while others still go on needs no wake-up.
      if (parked) redelivered = true;
      parked = false;
      return Promise.resolve({ redelivering: names });
    },
    {
      // A failed delivery can be redelivered as soon as it failed, even while another destination
      // of the run is still retrying or held (the run parks only once every delivery has ended).
      validator: (request: RedeliverRequest = {}) => {
        if (failedNames().length === 0)
          throw refused('not_parked', `this run is not parked (${runStatus(deliveries)}): nothing failed to redeliver`);
        const listed = request.destinations;
        if (listed !== undefined && (!Array.isArray(listed) || !listed.every((n) => typeof n === 'string'))) {
          throw refused('invalid_request', 'destinations must be a list of destination names, e.g. {"destinations":["crm"]}');
        }
        const names = named(request);
        if (names.length === 0) throw refused('invalid_request', 'name at least one destination');
        for (const name of names) {
          const d = byName(name);
          if (!d)
            throw refused(
              'not_a_destination_of_run',
              `"${name}" is not a destination of this run (it planned ${deliveries.map((x) => x.name).join(', ')})`,
            );
          if (d.state === 'delivered')
            throw refused('already_delivered', `"${name}" got a 2xx for this event: it is never sent the event again`);
          if (d.state !== 'failed') throw refused('not_failed', `"${name}" did not fail: it is ${d.state} already`);
        }
      },
    },
  );
  setHandler(
    abandonUpdate,
    (request: AbandonRequest = {}) => {
      abandonReason = request.reason?.trim() || 'abandoned by an operator';
      return Promise.resolve({ abandoned: failedNames() });
    },
    {
      validator: (_request: AbandonRequest) => {
        if (!parked) throw refused('not_parked', `this run is not parked (${runStatus(deliveries)}): nothing to abandon`);
      },
    },
  );
  setHandler(destinationChangedSignal, ({ destination }) => byName(destination)?.wake());

  for (const d of deliveries) void d.run();
  // The healthy path ends inside this first wait: every first attempt is a local activity of the
  // first workflow task, and the one upsert below is the run's only other command.
  await condition(() => deliveries.every((d) => d.firstPassDone));

  for (;;) {
    // Publish what changed while deliveries go on (after a redelivery, nothing until one settles or retries).
    while (!deliveries.every((d) => d.settled)) {
      if (dirty) board.publish(runStatus(deliveries), deliveries);
      dirty = false;
      await condition(() => dirty || deliveries.every((d) => d.settled));
    }
    const status = runStatus(deliveries);
    if (status === 'delivered') {
      board.publish(status, deliveries);
      return { eventId: event.id, status, destinations: deliveries.map(resultOf) };
    }

    const periodSeconds = Math.max(...deliveries.filter((d) => d.state === 'failed').map((d) => d.plan.parkingPeriodSeconds));
    parked = true;
    parkedUntil = new Date(Date.now() + periodSeconds * 1000).toISOString();
    board.publish(status, deliveries);
    board.describe(status, deliveries, parkedUntil);
    log.warn('run parked: a delivery failed; waiting for redeliver or abandon', { failed: failedNames(), until: parkedUntil });
    const decided = await condition(() => redelivered || abandonReason !== undefined, `${periodSeconds}s`, {
      summary: `parked: redeliver or abandon before ${minute(parkedUntil)}`,
    });
    parked = false;
    if (abandonReason !== undefined) {
      board.publish('abandoned', deliveries);
      throw outcomeFailure(FailureType.DeliveryAbandoned, event, 'abandoned', deliveries, abandonReason);
    }
    if (!decided) {
      throw outcomeFailure(
        FailureType.DeliveryFailed,
        event,
        status as RelayEventOutcome['status'],
        deliveries,
        `not redelivered within the parking period (${periodSeconds}s)`,
      );
    }
    redelivered = false;
  }
}

function resultOf(d: Delivery): DestinationResult {
  return {
    destination: d.name,
    ...(d.destinationVersion !== undefined ? { destinationVersion: d.destinationVersion } : {}),
    status: d.state === 'delivered' ? 'delivered' : 'failed',
    ...(d.httpStatus !== undefined ? { httpStatus: d.httpStatus } : {}),
    attempts: d.attempts,
    ...(d.requestsDelivered > 1 ? { requests: d.requestsDelivered } : {}),
    ...(d.state === 'delivered' && d.latencyMs !== undefined ? { latencyMs: d.latencyMs } : {}),
    slaBreached: d.slaBreached,
    ...(d.redeliveries > 0 ? { redeliveries: d.redeliveries } : {}),
    ...(d.error ? { error: d.error } : {}),
  };
}

/** The run's end as a failure (red in the UI): the message names each failed destination; the details hold every result. */
function outcomeFailure(type: string, event: CanonicalEvent, status: RelayEventOutcome['status'], deliveries: Delivery[], reason: string) {
  const failed = deliveries.filter((d) => d.state === 'failed');
  const what = failed
    .map((d) => `${d.name} (${d.error?.type ?? 'failed'}${d.httpStatus !== undefined ? ` ${d.httpStatus}` : ''})`)
    .join(', ');
  const outcome: RelayEventOutcome = { eventId: event.id, status, destinations: deliveries.map(resultOf), reason };
  return ApplicationFailure.create({
    type,
    message: `${failed.length} of ${deliveries.length} destination(s) not delivered: ${what}; ${reason}`,
    nonRetryable: true,
    details: [outcome],
  });
}
