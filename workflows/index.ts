/** Every workflow the worker registers. Deterministic code only: see DESIGN.md. */
export { relayEvent } from './relay-event';
export type { RelayEventInput, RelayEventResult, DestinationResult } from './relay-event';
