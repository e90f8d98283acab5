/** The worker process is SIGKILLed mid-load (no graceful shutdown) and started again. */
import { pause, type Scenario } from '../scenario';

export const workerKill: Scenario = {
  name: 'worker-kill',
  description: 'a worker SIGKILLed mid-load (the first, when there are more), restarted 2 s later',
  async inject({ stack, say }) {
    say('SIGKILL the first worker');
    await stack.worker().stop('SIGKILL');
    await pause(2000);
    say('restarting the worker');
    await stack.startWorker();
    say(`worker running again ${stack.workerStartSeconds.at(-1)} s after the restart`);
  },
};
