/** Every workflow the worker registers. Deterministic code only: no I/O, no Node APIs. */
export { relayEvent } from './relay-event';
export { customerProfileEvent } from './customer-profile-event';
export { bulkRedeliver } from './bulk-redeliver';
export type { RelayEventInput, RelayEventResult, RelayEventOutcome, DestinationResult } from './types';
