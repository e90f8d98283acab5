import type { Scenario } from '../scenario';
import { destinationOutage } from './destination-outage';
import { receiverKill } from './receiver-kill';
import { slowDestination } from './slow-destination';
import { storeRefusal } from './store-refusal';
import { temporalRestart } from './temporal-restart';
import { workerKill } from './worker-kill';

export const SCENARIOS: Scenario[] = [workerKill, receiverKill, temporalRestart, storeRefusal, destinationOutage, slowDestination];

/** What `--production` runs unless --scenario says otherwise. */
export const PRODUCTION_SCENARIOS = ['worker-kill', 'receiver-kill', 'temporal-restart', 'store-refusal', 'destination-outage'];
