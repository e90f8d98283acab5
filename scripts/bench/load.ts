/**
 * Drives load: either closed (a fixed number of requests in flight, `concurrency`) or open (a
 * fixed arrival rate, `rate`/s, with at most `concurrency` in flight), for a number of events
 * or a duration — bounded either way.
 */

export interface LoadShape {
  /** Number of tasks; ignored when durationSeconds is set. */
  events: number;
  durationSeconds?: number;
  concurrency: number;
  /** Arrivals per second (open loop); absent = closed loop. */
  rate?: number;
}

export interface TaskTiming {
  index: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `task(i)` under the shape; resolves with one timing per task, in start order. */
export async function runLoad(shape: LoadShape, task: (index: number) => Promise<boolean>): Promise<TaskTiming[]> {
  const timings: TaskTiming[] = [];
  const origin = Date.now();
  const deadline = shape.durationSeconds !== undefined ? origin + shape.durationSeconds * 1000 : Infinity;
  const limit = shape.durationSeconds !== undefined ? Number.MAX_SAFE_INTEGER : shape.events;
  let next = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;

  const one = async (index: number): Promise<void> => {
    const startedAt = Date.now();
    let ok: boolean;
    try {
      ok = await task(index);
    } catch {
      ok = false;
    }
    timings.push({ index, startedAt, endedAt: Date.now(), ok });
  };

  const running = new Set<Promise<void>>();
  while (next < limit && Date.now() < deadline) {
    if (shape.rate !== undefined) {
      const due = origin + (next * 1000) / shape.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      if (Date.now() >= deadline) break;
    }
    while (inFlight >= shape.concurrency) await new Promise<void>((r) => (wake = r));
    const index = next++;
    inFlight += 1;
    const p = one(index).finally(() => {
      inFlight -= 1;
      running.delete(p);
      const w = wake;
      wake = undefined;
      w?.();
    });
    running.add(p);
  }
  await Promise.all(running);
  return timings.sort((a, b) => a.index - b.index);
}
