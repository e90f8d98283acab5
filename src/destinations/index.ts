/** Destination connectors by kind. Adding a kind: a new file in this folder and one line here. */
import type { DestinationConfig } from '../config/store';
import type { DestinationConnector } from './connector';
import { webhookConnector } from './webhook';

export const destinationConnectors: Record<DestinationConfig['kind'], DestinationConnector> = {
  webhook: webhookConnector,
};
