/**
 * Step "SLA": a timer that races a delivery still pending after the run's first workflow task.
 * A delivery that succeeds in the first task needs no timer: its latency says whether it was
 * late. When the timer fires first the delivery is marked and goes on.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

export interface SlaTimer {
  cancel(): void;
}

/** Call `breached` when `deadlineMs` passes first (at once when it has passed already). */
export function raceSla(deadlineMs: number, summary: string, breached: () => void): SlaTimer {
  const remainingMs = deadlineMs - Date.now();
  if (remainingMs <= 0) {
    breached();
    return { cancel: () => undefined };
  }
  const scope = new CancellationScope();
  scope
    .run(() => sleep(remainingMs, { summary }))
    .then(breached)
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  return { cancel: () => scope.cancel() };
}
