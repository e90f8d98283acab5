/**
 * Phases 2 and 4: events posted to the receiver (ack latency = ingest), then followed to the
 * sink (POST → arrival = end to end). Also used for the direct baseline (phase 5), which has
 * the same shape without Temporal.
 */
import { startCpuAccount, type CpuPerEvent, type ProcessPids } from './cpu';
import { pickSamples } from './history';
import { runLoad, type LoadShape } from './load';
import { pointsIssuedBody, SOURCE_KEY } from './relay-config';
import type { SampleLog } from './samples';
import type { Sender } from './sender';
import type { BenchSink } from './sink';
import { ratePerSecond, summarize, type LatencySummary } from './stats';

export interface RelayRunResult {
  destinations: number;
  /** How the relay ran (--stacks); absent for the direct relay. */
  stack?: string;
  sent: number;
  acknowledged: number;
  acceptedPerSecond: number;
  ackLatencyMs: LatencySummary;
  /** Events whose every destination received them. */
  delivered: number;
  deliveries: number;
  duplicates: number;
  deliveredEventsPerSecond: number;
  /** Per delivery: POST start → arrival at the sink. */
  endToEndLatencyMs: LatencySummary;
  /** One finished event id (to read its history). */
  sampleEventId?: string;
  /** Acknowledged event ids spread over the run (`samples` of them), to read their histories. */
  sampleEventIds?: string[];
  /** CPU ms per acknowledged event of each process while the events were posted (POST → last 202), when `cpu` names them. */
  ingestCpuMsPerEvent?: CpuPerEvent;
}

export async function runRelay(o: {
  label: string;
  sender: Sender;
  sink: BenchSink;
  sourceId: string;
  destinations: number;
  shape: LoadShape;
  runId: string;
  log: SampleLog;
  timeoutMs: number;
  stack?: string;
  /** How many acknowledged event ids to return in sampleEventIds (default 1). */
  samples?: number;
  /** Processes whose CPU time to account over the ingest window. */
  cpu?: ProcessPids;
}): Promise<RelayRunResult> {
  const account = o.cpu ? startCpuAccount(o.cpu) : undefined;
  const sentAt = new Map<string, number>();
  const acked = new Set<string>();
  const arrivalsBefore = o.sink.arrivals.length;
  const distinctBefore = o.sink.counts().distinct;
  const eventIdOf = (i: number) => `${o.runId}-${o.label.replace(/\W+/g, '')}-${i}`;
  const timings = await runLoad(o.shape, async (i) => {
    const eventId = eventIdOf(i);
    const started = Date.now();
    sentAt.set(eventId, started);
    const r = await o.sender.post(`/v1/sources/${o.sourceId}/events`, pointsIssuedBody(eventId), { 'x-api-key': SOURCE_KEY });
    if (r.acknowledged) {
      acked.add(eventId);
      o.log.add(`ingest ${o.label}`, r.answeredAt, r.answeredAt - started);
    }
    return r.acknowledged;
  });
  const ingestCpuMsPerEvent = account?.(acked.size);
  const expected = distinctBefore + acked.size * o.destinations;
  await o.sink.waitForDistinct(expected, o.timeoutMs);

  const perEvent = new Map<string, Set<string>>();
  const latencies: number[] = [];
  let lastDelivery = 0;
  let deliveries = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  for (const a of o.sink.arrivals.slice(arrivalsBefore)) {
    const sent = sentAt.get(a.eventId);
    if (sent === undefined || !a.accepted) continue;
    if (seen.has(a.key)) {
      duplicates += 1;
      continue;
    }
    seen.add(a.key);
    deliveries += 1;
    latencies.push(a.at - sent);
    o.log.add(`e2e ${o.label}`, a.at, a.at - sent);
    let dests = perEvent.get(a.eventId);
    if (!dests) perEvent.set(a.eventId, (dests = new Set()));
    dests.add(a.path);
    if (dests.size === o.destinations) lastDelivery = Math.max(lastDelivery, a.at);
  }
  const delivered = [...perEvent.values()].filter((d) => d.size === o.destinations).length;
  const okTimings = timings.filter((t) => t.ok);
  const first = timings[0]?.startedAt ?? 0;
  const ackedInOrder = timings.filter((t) => t.ok).map((t) => eventIdOf(t.index));
  return {
    destinations: o.destinations,
    ...(o.stack ? { stack: o.stack } : {}),
    sent: timings.length,
    acknowledged: acked.size,
    acceptedPerSecond: ratePerSecond(okTimings.length, first, Math.max(...okTimings.map((t) => t.endedAt))),
    ackLatencyMs: summarize(okTimings.map((t) => t.endedAt - t.startedAt)),
    delivered,
    deliveries,
    duplicates,
    deliveredEventsPerSecond: ratePerSecond(delivered, first, lastDelivery),
    endToEndLatencyMs: summarize(latencies),
    ...(ingestCpuMsPerEvent ? { ingestCpuMsPerEvent } : {}),
    ...(ackedInOrder.length > 0 ? { sampleEventId: ackedInOrder[0], sampleEventIds: pickSamples(ackedInOrder, o.samples ?? 1) } : {}),
  };
}
