/**
 * The upgrade to relayEvent v2 is "drain first": runs started by the earlier workflow code do
 * not replay on this one (its steps, result and search attributes changed). Before a worker of
 * this version polls, it asks the namespace for open runs of the earlier code and refuses to
 * start while there are any. The earlier code, and only it, set `RelayDeliveryStatus` to
 * `delivering` in its first workflow task; a run whose first task had not completed yet has no
 * recorded step and runs on this code as a new run.
 */
import type { Client } from '@temporalio/client';

export const LEGACY_RUNS_QUERY = 'WorkflowType = "relayEvent" AND ExecutionStatus = "Running" AND RelayDeliveryStatus = "delivering"';

export class LegacyRunsError extends Error {
  constructor(
    readonly count: number,
    namespace: string,
  ) {
    super(
      `namespace "${namespace}" has ${count} open run(s) started by the earlier relayEvent (before v2), which this worker cannot replay.\n` +
        'Drain first: keep the previous release running (receiver stopped, worker on) until\n' +
        `  npm run temporal -- workflow count --namespace ${namespace} --query '${LEGACY_RUNS_QUERY}'\n` +
        'answers 0, or end them on purpose with `npm run temporal -- workflow terminate --query …` (their deliveries are then not retried).\n' +
        'See README, "Upgrading to relayEvent v2".',
    );
    this.name = 'LegacyRunsError';
  }
}

/** Throw LegacyRunsError when the namespace has open runs of the earlier workflow code. */
export async function refuseLegacyRuns(client: Client, namespace: string): Promise<void> {
  const { count } = await client.workflow.count(LEGACY_RUNS_QUERY);
  if (count > 0) throw new LegacyRunsError(count, namespace);
}
