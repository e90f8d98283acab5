/** The floors the relay is compared with: a workflow that does nothing, and one with a single no-op activity. */
import { proxyActivities } from '@temporalio/workflow';
import type { FloorActivities } from './floor-worker';

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });

export async function benchNoop(): Promise<void> {}

export async function benchFloor(): Promise<void> {
  await noop();
}
