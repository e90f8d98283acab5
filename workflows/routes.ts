/**
 * Which workflow type runs an event: the generic `relayEvent` unless a route names another.
 * The receiver reads this table when it starts a run; adding a route (and its workflow file)
 * touches no other event type's runs. Pure data: workflow and receiver code both import it.
 */

export interface Route {
  /** The canonical event name (as the source adapter spells it). */
  event: string;
  /** Only events from this source id; every source when absent. */
  source?: string;
  /** An exported workflow function of workflows/index.ts. */
  workflow: string;
}

export const GENERIC_WORKFLOW = 'relayEvent';

export const routes: readonly Route[] = [
  // Capillary's PII-less events carry ids only: look the profile up in the brand's API first.
  { event: 'customerAdded', workflow: 'customerProfileEvent' },
  { event: 'customerUpdated', workflow: 'customerProfileEvent' },
];

export function workflowTypeFor(event: { source: string; name: string }, table: readonly Route[] = routes): string {
  const route = table.find((r) => r.event === event.name && (r.source === undefined || r.source === event.source));
  return route?.workflow ?? GENERIC_WORKFLOW;
}
