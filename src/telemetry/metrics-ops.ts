/**
 * The worker's operations gauges: each destination's state (from the configuration store) and
 * its held and parked runs (from Temporal visibility). A scrape must not cost a visibility query
 * per destination, so a timer refreshes the figures (RELAY_GAUGE_REFRESH_SECONDS) and scrapes
 * read the last ones.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { Gauge } from 'prom-client';
import { PROBE_CLAIM_TIMEOUT_SECONDS } from '../breaker/breaker';
import type { DeliveryMetrics } from './metrics';
import { heldRunsQuery } from '../temporal/held-runs';

/** What `relay_destination_state{state}` distinguishes. */
export const DESTINATION_STATES = ['active', 'disabled', 'paused_operator', 'paused_breaker', 'probing'] as const;
export type DestinationState = (typeof DESTINATION_STATES)[number];

/** The visibility query for the runs whose deliveries to `destination` are parked as failed. */
export function parkedRunsQuery(destination: string): string {
  return `RelayFailedDestinations = ${JSON.stringify(destination)} AND ExecutionStatus = "Running"`;
}

const ANY_HELD = 'RelayHeldDestinations IS NOT NULL AND ExecutionStatus = "Running"';
const ANY_PARKED = 'RelayFailedDestinations IS NOT NULL AND ExecutionStatus = "Running"';

export interface OpsGaugeOptions {
  pool: Pool;
  client: Client;
  log?: { warn(obj: object, msg: string): void };
}

/** Register the gauges in `metrics.registry` (without a refresher: they have no series until one runs). */
export function registerOpsGauges(metrics: DeliveryMetrics) {
  const state = new Gauge({
    name: 'relay_destination_state',
    help: 'Destinations in each state, by destination: 1 for its current state (active, disabled, paused_operator, paused_breaker, probing), 0 for the others. _other sums the destinations beyond the label cap.',
    labelNames: ['destination', 'state'] as const,
    registers: [metrics.registry],
  });
  const held = new Gauge({
    name: 'relay_held_runs',
    help: 'Open runs holding a delivery for the destination (paused), from Temporal visibility at the last refresh.',
    labelNames: ['destination'] as const,
    registers: [metrics.registry],
  });
  const parked = new Gauge({
    name: 'relay_parked_runs',
    help: 'Open runs with a delivery to the destination parked as failed (waiting for redeliver or abandon), from Temporal visibility at the last refresh.',
    labelNames: ['destination'] as const,
    registers: [metrics.registry],
  });
  return { state, held, parked };
}

/**
 * The gauges and their refresher. Labels are capped as the delivery metrics' are (the same
 * `destinationLabel`: a destination beyond the cap adds to `_other`). `refresh()` reads the
 * store and Temporal once; `start(ms)` repeats it until `stop()`.
 */
export function createOpsGauges(metrics: DeliveryMetrics, o: OpsGaugeOptions) {
  const { state, held, parked } = registerOpsGauges(metrics);

  /** Per destination, the number of open runs `query(name)` finds; none asked when `any` finds none. */
  async function countRuns(names: string[], any: string, query: (name: string) => string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if ((await o.client.workflow.count(any)).count === 0) return counts;
    for (const name of names) {
      const { count } = await o.client.workflow.count(query(name));
      if (count > 0) counts.set(name, count);
    }
    return counts;
  }

  async function refresh(): Promise<void> {
    const { rows } = await o.pool.query<{ name: string; state: DestinationState }>(
      `SELECT name,
              CASE WHEN NOT paused THEN CASE WHEN enabled THEN 'active' ELSE 'disabled' END
                   WHEN paused_by = 'breaker' AND probe_claimed_at > now() - make_interval(secs => $1) THEN 'probing'
                   WHEN paused_by = 'breaker' THEN 'paused_breaker'
                   ELSE 'paused_operator' END AS state
         FROM destinations ORDER BY name`,
      [PROBE_CLAIM_TIMEOUT_SECONDS],
    );
    const names = rows.map((r) => r.name);
    const heldCounts = await countRuns(names, ANY_HELD, heldRunsQuery);
    const parkedCounts = await countRuns(names, ANY_PARKED, parkedRunsQuery);
    // Everything is read first; the gauges change in one synchronous step, so a scrape never sees half of it.
    const states = new Map<string, Map<DestinationState, number>>();
    const heldBy = new Map<string, number>();
    const parkedBy = new Map<string, number>();
    for (const row of rows) {
      const label = metrics.destinationLabel(row.name);
      const s = states.get(label) ?? new Map(DESTINATION_STATES.map((x) => [x, 0]));
      s.set(row.state, (s.get(row.state) ?? 0) + 1);
      states.set(label, s);
      heldBy.set(label, (heldBy.get(label) ?? 0) + (heldCounts.get(row.name) ?? 0));
      parkedBy.set(label, (parkedBy.get(label) ?? 0) + (parkedCounts.get(row.name) ?? 0));
    }
    state.reset();
    held.reset();
    parked.reset();
    for (const [destination, s] of states) for (const [st, n] of s) state.set({ destination, state: st }, n);
    for (const [destination, n] of heldBy) held.set({ destination }, n);
    for (const [destination, n] of parkedBy) parked.set({ destination }, n);
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    running = refresh()
      .catch((err: unknown) => o.log?.warn({ err }, 'operations gauges not refreshed; the last figures stay until the next refresh'))
      .finally(() => (running = undefined));
  };
  return {
    refresh,
    /** Refresh now, then every `intervalMs` (a refresh still running is not doubled). */
    start(intervalMs: number) {
      tick();
      timer = setInterval(() => {
        if (!running) tick();
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
