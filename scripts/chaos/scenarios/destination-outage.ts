/** The destination answers 503 (Retry-After: 1) for 3 s, then refuses connections for 3 s, then recovers. */
import { pause, type Scenario } from '../scenario';

export const destinationOutage: Scenario = {
  name: 'destination-outage',
  description: 'destination answers 503 for 3 s, then refuses connections for 3 s, then recovers',
  async inject({ sink, say }) {
    say('sink answers 503');
    sink.behave({ status: 503, retryAfterSeconds: 1 });
    await pause(3000);
    say('sink refuses connections');
    await sink.refuse();
    await pause(3000);
    say('sink recovers');
    sink.behave({ status: 200 });
    await sink.listen();
  },
};
