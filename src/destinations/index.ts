/** Destination connectors by kind. Adding a kind: a new file in this folder and one line here. */
import type { DestinationConnector } from './connector';
import { customergluConnector } from './customerglu';
import { moengageConnector } from './moengage';
import { webhookConnector } from './webhook';

// Each connector validates its own settings at load time, so the registry erases their types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const destinationConnectors: Record<string, DestinationConnector<any> | undefined> = {
  webhook: webhookConnector,
  moengage: moengageConnector,
  customerglu: customergluConnector,
};

export const DESTINATION_KINDS = Object.keys(destinationConnectors);
