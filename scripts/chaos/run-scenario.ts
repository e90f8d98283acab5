/**
 * One scenario under load: events are sent (retrying like a real sender), the fault is
 * injected once half are acknowledged, and the sink is watched until every acknowledged
 * event has arrived or the wait runs out. Counts, not timings, are the result.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { workflowIdFor } from '../../src/model/canonical-event';
import { runLoad, type LoadShape } from '../bench/load';
import { pointsIssuedBody, SOURCE_KEY } from '../bench/relay-config';
import type { Sender } from '../bench/sender';
import type { ChaosContext, Scenario } from './scenario';

/** The harness's source (Capillary kind; see scripts/bench/relay-config.ts). */
const SOURCE = 'bench1';

export interface ScenarioCounts {
  scenario: string;
  description: string;
  sent: number;
  /** Events answered 2xx (202, or 200 duplicate after a resend). */
  acknowledged: number;
  /** Events the sender gave up on (never acknowledged: still the sender's). */
  notAcknowledged: number;
  /** 503 answers seen by the sender before it got through. */
  unavailableAnswers: number;
  /** Distinct idempotency keys the sink accepted. */
  delivered: number;
  /** Accepted requests repeating a key already accepted. */
  duplicates: number;
  /** Acknowledged − delivered. Must be 0. */
  lost: number;
  /** Acknowledged events missing at the sink (at most 20), for debugging. */
  lostEventIds: string[];
  /**
   * Acknowledged events whose run had not ended when the wait was over: still running and not
   * parked (a visible failed/partially_delivered state), or no run at all. Must be 0.
   */
  stuck: number;
  /** Runs parked or ended Failed with a reason (expected 0 here: every fault heals). */
  failedOrParked: number;
  /** Stuck events with what Temporal said of them (at most 20), for debugging. */
  stuckEventIds: string[];
  /** Seconds from the first send until every acknowledged event had arrived (or the wait ended). */
  seconds: number;
}

export async function runScenario(
  scenario: Scenario,
  ctx: ChaosContext,
  sender: Sender,
  shape: LoadShape,
  runId: string,
  waitMs: number,
): Promise<ScenarioCounts> {
  const prefix = `${runId}-${scenario.name}-`;
  const acked = new Set<string>();
  let unavailable = 0;
  let injection: Promise<void> | undefined;
  const half = Math.max(1, Math.floor(shape.events / 2));
  const started = Date.now();
  const timings = await runLoad(shape, async (i) => {
    const eventId = `${prefix}${i}`;
    const r = await sender.post(`/v1/sources/${SOURCE}/events`, pointsIssuedBody(eventId), { 'x-api-key': SOURCE_KEY });
    unavailable += r.unavailable;
    if (r.acknowledged) acked.add(eventId);
    if (!injection && acked.size >= half) {
      ctx.say(`${scenario.name}: ${acked.size} acknowledged, injecting the fault`);
      injection = scenario.inject(ctx);
    }
    return r.acknowledged;
  });
  injection ??= scenario.inject(ctx);
  await injection;

  const deliveredKeys = () => {
    const byEvent = new Map<string, string>();
    let accepted = 0;
    for (const a of ctx.sink.arrivals) {
      if (!a.accepted || !a.eventId.startsWith(prefix)) continue;
      accepted += 1;
      byEvent.set(a.eventId, a.key);
    }
    return { byEvent, accepted, distinct: new Set(byEvent.values()).size };
  };
  const deadline = Date.now() + waitMs;
  let d = deliveredKeys();
  while ([...acked].some((id) => !d.byEvent.has(id)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    d = deliveredKeys();
  }
  const missing = [...acked].filter((id) => !d.byEvent.has(id));
  // Delivered is not ended: a run may still be retrying, or failing workflow tasks in a loop.
  let ends = await runEnds(ctx.temporal.address, [...acked]);
  const endDeadline = Date.now() + 60_000;
  while (ends.stuck.length > 0 && Date.now() < endDeadline) {
    await new Promise((r) => setTimeout(r, 2000));
    ends = await runEnds(
      ctx.temporal.address,
      ends.stuck.map((s) => s.eventId),
      ends.failedOrParked,
    );
  }
  return {
    scenario: scenario.name,
    description: scenario.description,
    sent: timings.length,
    acknowledged: acked.size,
    notAcknowledged: timings.length - acked.size,
    unavailableAnswers: unavailable,
    delivered: d.distinct,
    duplicates: d.accepted - d.distinct,
    lost: missing.length,
    lostEventIds: missing.slice(0, 20),
    stuck: ends.stuck.length,
    failedOrParked: ends.failedOrParked,
    stuckEventIds: ends.stuck.slice(0, 20).map((s) => `${s.eventId} (${s.state})`),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

/** Where each event's run stands: ended (completed, or failed/parked with a reason) or stuck. */
async function runEnds(
  address: string,
  eventIds: string[],
  failedOrParkedBefore = 0,
): Promise<{ stuck: { eventId: string; state: string }[]; failedOrParked: number }> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const stuck: { eventId: string; state: string }[] = [];
  let failedOrParked = failedOrParkedBefore;
  try {
    const queue = [...eventIds];
    const one = async (eventId: string) => {
      try {
        const d = await client.workflow.getHandle(workflowIdFor(SOURCE, eventId)).describe();
        const delivery = String(d.searchAttributes.RelayDeliveryStatus?.[0] ?? 'none');
        if (d.status.name === 'COMPLETED') return;
        if (d.status.name === 'RUNNING' && !['failed', 'partially_delivered'].includes(delivery)) {
          stuck.push({ eventId, state: `running, delivery ${delivery}, ${d.historyLength} history events` });
        } else failedOrParked += 1;
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) stuck.push({ eventId, state: 'no run' });
        else throw e;
      }
    };
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await one(id);
      }),
    );
  } finally {
    await connection.close();
  }
  return { stuck, failedOrParked };
}
