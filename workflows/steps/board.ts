/**
 * What a run shows: its search attributes (one upsert per change of what an operator can
 * search for, none while the first workflow task is still running) and its current details
 * in the Temporal UI (per destination: delivered / retrying / held / parked).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { DeliveryStatus, Destinations, FailedDestinations, HeldDestinations, SlaBreached } from '../search-attributes';
import type { Delivery } from './delivery';
import { minute, seconds } from './format';

export type RunStatus = 'pending' | 'retrying' | 'held' | 'delivered' | 'failed' | 'partially_delivered' | 'abandoned';

/** The run's status from its deliveries: still working, parked, or done. */
export function runStatus(deliveries: Delivery[]): RunStatus {
  const open = deliveries.filter((d) => !d.settled);
  if (open.length > 0) return open.every((d) => d.state === 'held') ? 'held' : 'retrying';
  const failed = deliveries.filter((d) => d.state === 'failed').length;
  if (failed === 0) return 'delivered';
  return failed === deliveries.length ? 'failed' : 'partially_delivered';
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class RunBoard {
  /** What the receiver set at start. */
  private readonly shown = new Map<string, unknown>([
    [DeliveryStatus.name, 'pending'],
    [SlaBreached.name, false],
  ]);

  /** Upsert, in one command, the attributes that differ from what the run shows now. */
  publish(status: RunStatus, deliveries: Delivery[]): void {
    const names = (pick: (d: Delivery) => boolean) => deliveries.filter(pick).map((d) => d.name);
    const wanted: SearchAttributeUpdatePair[] = [
      { key: Destinations, value: names(() => true) },
      { key: DeliveryStatus, value: status },
      { key: SlaBreached, value: deliveries.some((d) => d.slaBreached) },
      { key: FailedDestinations, value: names((d) => d.state === 'failed') },
      { key: HeldDestinations, value: names((d) => d.state === 'held') },
    ];
    const changes = wanted.filter(({ key, value }) => {
      const before = this.shown.get(key.name);
      if (Array.isArray(value) && value.length === 0 && before === undefined) return false;
      return !sameValue(before, value);
    });
    if (changes.length === 0) return;
    upsertSearchAttributes(
      changes.map((c): SearchAttributeUpdatePair => (Array.isArray(c.value) && c.value.length === 0 ? { ...c, value: null } : c)),
    );
    for (const c of changes) this.shown.set(c.key.name, c.value);
  }

  /**
   * The run's current details in the UI (free: a query answer, not a history event). The UI
   * shows them in a small box: the status first, then what needs action (failed, held,
   * retrying) before what is done. Event, customer and source are in the run's summary.
   */
  describe(status: RunStatus, deliveries: Delivery[], parkedUntil?: string): void {
    const until = parkedUntil ? ` — parked until ${minute(parkedUntil)}` : '';
    const lines = [`**${status.replace('_', ' ')}**${until}`, ''];
    const done = (d: Delivery) => (d.state === 'delivered' ? 1 : 0);
    for (const d of [...deliveries].sort((a, b) => done(a) - done(b))) lines.push(`- ${d.name}: ${deliveryLine(d)}`);
    setCurrentDetails(lines.join('\n'));
  }
}

function deliveryLine(d: Delivery): string {
  const http = d.httpStatus !== undefined ? ` (HTTP ${d.httpStatus})` : '';
  const sla = d.slaBreached ? ', SLA breached' : '';
  switch (d.state) {
    case 'delivered':
      return `delivered in ${seconds(d.latencyMs ?? 0)}${http}${sla}`;
    case 'delivering':
      return 'delivering';
    case 'retrying':
      return `retrying${http || ` — ${d.lastProblem ?? 'a failure'}`}; attempt ${d.attempts} failed, the next under "deliver → ${d.name}"${sla}`;
    case 'held':
      return `held — destination paused; goes out on resume${sla}`;
    case 'failed': {
      // The message only when it says more than "<name> answered <status>".
      const message = d.error?.message ?? '';
      const more = /^\S+ answered \d+$/.test(message) ? '' : `: ${message}`;
      return `**failed**${http} — ${d.error?.type ?? 'unknown'}${more}${sla}`;
    }
  }
}
