/**
 * A receiver process is SIGKILLed mid-load (requests in flight are cut) and started again 2 s
 * later. The sender retries refused and reset connections — on the other receiver when there
 * are two — and the event id makes a resend of an event that was in fact accepted a duplicate
 * answered 200, not a second run.
 */
import { pause, type Scenario } from '../scenario';

export const receiverKill: Scenario = {
  name: 'receiver-kill',
  description: 'a receiver SIGKILLed mid-load, restarted 2 s later',
  async inject({ stack, say }) {
    say('SIGKILL the first receiver');
    await stack.receiver(0).stop('SIGKILL');
    await pause(2000);
    say('restarting the receiver');
    await stack.startReceiver(0);
    say('receiver listening again');
  },
};
