/**
 * A deliberately incompatible relayEvent: planning and mapping as regular activities and no
 * enrichment, where recorded histories hold local-activity markers. Replaying a recorded history against it must fail — proof that the
 * replay test can see a determinism break, so its passing case means something.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { RelayActivities } from '../../../activities';
import type { RelayEventInput } from '../../../workflows';

const { resolveSubscriptions, mapEvent } = proxyActivities<RelayActivities>({ startToCloseTimeout: '30s' });

export async function relayEvent({ event }: RelayEventInput): Promise<void> {
  const plans = await resolveSubscriptions({ source: event.source, name: event.name });
  for (const plan of plans) await mapEvent({ destination: plan.name, event, enrichment: {} });
}
