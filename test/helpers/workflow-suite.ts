/** What every workflow test file needs: one dev server per file, cleanups, and a sample event. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { workflowIdFor, type CanonicalEvent } from '../../src/model/canonical-event';
import { heldRunsQuery } from '../../src/temporal/held-runs';
import type { DevServer } from '../../src/temporal/dev-server';
import type { relayEvent } from '../../workflows';
import { startTestTemporal } from './temporal';

export interface TestTemporal {
  /** The file's dev server (available inside tests, after `before` ran). */
  readonly server: DevServer;
  /** Run `fn` in `after`, in reverse order of registration, before the server stops. */
  cleanup(fn: () => Promise<void>): void;
}

/** Registers `before`/`after` hooks that start and stop a dev server for this test file. */
export function useTestTemporal(): TestTemporal {
  let server: DevServer | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    server = await startTestTemporal();
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the dev server is not started yet (use it inside a test)');
      return server;
    },
    cleanup: (fn) => cleanups.push(fn),
  };
}

/** A Capillary pointsIssued event as the receiver normalizes it, with the enrichment fields Capillary includes. */
export function samplePointsIssued(overrides: Partial<CanonicalEvent> = {}): CanonicalEvent {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    source: 'capillary',
    sourceKind: 'capillary',
    name: 'pointsIssued',
    type: 'track',
    occurredAt: now,
    receivedAt: now,
    customer: { id: '412345678', identifiers: { mobile: '919999000001' } },
    properties: {
      loyaltyProgramId: 973,
      totalPointsIssued: 250,
      refId: 'bill-88121',
      triggeringActivity: { enteredBy: { id: 75031, till: { code: 'till-07' }, store: { code: 'blr-01', name: 'Indiranagar' } } },
    },
    ...overrides,
  };
}

/** Start a relayEvent run for a fresh sample pointsIssued on `taskQueue`, with the receiver's workflow id. */
export function startSampleRun(client: Client, taskQueue: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof relayEvent>> {
  const event = samplePointsIssued();
  return client.workflow.start<typeof relayEvent>('relayEvent', {
    taskQueue,
    workflowId: workflowIdFor(event.source, event.id),
    args: [{ event }],
  });
}

/** Resolve once at least `count` runs are held for the paused destination `name` (by search attribute). */
export async function heldFor(client: Client, name: string, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { count: held } = await client.workflow.count(heldRunsQuery(name));
    if (held >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never saw ${count} run(s) holding ${name}`);
}

/** A Capillary customerAdded in PII-less mode as the receiver normalizes it: ids only. */
export function sampleCustomerAdded(customer: CanonicalEvent['customer'] = { id: '412345678', identifiers: {} }): CanonicalEvent {
  return samplePointsIssued({
    name: 'customerAdded',
    type: 'user',
    traits: {},
    customer,
    properties: customer.id ? { customerIdentifiers: { customerId: Number(customer.id) } } : {},
  });
}
