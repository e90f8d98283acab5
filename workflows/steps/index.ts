/**
 * The named steps every event workflow is built from: plan → enrich → deliver to every
 * destination (each with its SLA timer, parking on failure) → record. A workflow for one event
 * type composes them with its own activities (see workflows/customer-profile-event.ts). The
 * path they make is described in docs/architecture.md, "The path of one event".
 */
export { planSubscriptions, noSubscribers, planningOptions } from './plan';
export { enrichFor } from './enrich';
export { deliverAll } from './deliver-all';
