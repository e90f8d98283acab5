/**
 * The Temporal server stops mid-load and starts again on the same SQLite file. While it is
 * down the receiver answers 503 with Retry-After and the sender retries.
 */
import { pause, type Scenario } from '../scenario';

export const temporalRestart: Scenario = {
  name: 'temporal-restart',
  description: 'Temporal server stopped mid-load for 5 s, restarted with its state on disk',
  async inject({ temporal, say }) {
    say('stopping the Temporal server');
    await temporal.stop();
    await pause(5000);
    say('starting the Temporal server again');
    await temporal.start();
  },
};
