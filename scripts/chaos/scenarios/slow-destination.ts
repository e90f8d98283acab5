/**
 * The destination takes 3 s to answer while the relay's timeout is 2 s, for 5 s: every
 * attempt in that stretch times out and is retried with the same idempotency key (the
 * destination did get the first request, so duplicates are expected — and only those).
 */
import { pause, type Scenario } from '../scenario';

export const SLOW_DESTINATION_TIMEOUT_SECONDS = 2;

export const slowDestination: Scenario = {
  name: 'slow-destination',
  description: `destination answers in 3 s (timeout ${SLOW_DESTINATION_TIMEOUT_SECONDS} s) for 5 s, then normally`,
  async inject({ sink, say }) {
    say('sink answers slowly');
    sink.behave({ status: 200, delayMs: 3000 });
    await pause(5000);
    say('sink answers normally');
    sink.behave({ status: 200 });
  },
};
