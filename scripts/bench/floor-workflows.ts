/** The floor end-to-end relaying is compared with: a workflow with a single no-op activity. */
import { proxyActivities } from '@temporalio/workflow';
import type { FloorActivities } from './floor-worker';

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });

export async function benchFloor(): Promise<void> {
  await noop();
}
