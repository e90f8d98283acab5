import type { Scenario } from '../scenario';
import { destinationOutage } from './destination-outage';
import { slowDestination } from './slow-destination';
import { temporalRestart } from './temporal-restart';
import { workerKill } from './worker-kill';

export const SCENARIOS: Scenario[] = [workerKill, temporalRestart, destinationOutage, slowDestination];
