/**
 * The start the receiver makes, made by the harness's own Temporal client: for the event the
 * load generator posts, the canonical event the receiver's adapter makes of it, started as the
 * receiver starts it (src/receiver/starter.ts: its workflow, input, summary and search
 * attributes) through the relay's data converter (the claim check and the stack's encryption key),
 * on the relay's task queue, where the relay's worker runs it as it runs an ingested event.
 *
 * Phase 1 ("bare start") drives this: the same Temporal work, with the same work following it
 * on the same cores, as ingestion — without the receiver. Ingest ÷ bare start is then what the
 * receiver costs on top of the start it makes.
 */
import { Client, type ConnectionLike } from '@temporalio/client';
import pg from 'pg';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import { sourceSchema } from '../../src/model/source';
import { createLogger } from '../../src/telemetry/logger';
import { ClaimCheckCodec } from '../../src/payloads/claim-check';
import { ClaimStore } from '../../src/payloads/claim-store';
import { relayDataConverter } from '../../src/payloads/data-converter';
import { createTemporalStarter } from '../../src/receiver/starter';
import { capillarySource } from '../../src/sources/capillary';
import { parseEnv } from '../../src/wiring/env';
import { pointsIssuedBody, SOURCE_KEY } from './relay-config';
import { RELAY_TASK_QUEUE, type RelayStack } from './relay-stack';

/** The receiver's start deadline: RELAY_START_TIMEOUT_MS's default (the bench's stacks leave it unset). */
const START_TIMEOUT_MS = parseEnv({}).RELAY_START_TIMEOUT_MS;

export interface BareStarter {
  /**
   * The canonical events of ids `prefix-0`… as the receiver would make them of the bench's
   * posts, made before they are started (normalizing is the receiver's work, not the start's).
   */
  prepare(prefix: string, count: number): CanonicalEvent[];
  start(event: CanonicalEvent): Promise<void>;
  close(): Promise<void>;
}

export function createBareStarter(o: {
  /** Of the kind the stack's receiver starts through (a Connection, or the eager one's NativeConnection). */
  connection: ConnectionLike;
  stack: Pick<RelayStack, 'databaseUrl' | 'masterKey'>;
  encrypt: boolean;
  sourceId: string;
}): BareStarter {
  // The claim check stores nothing for events this small, but it is in the receiver's chain, so it is in this one.
  const pool = new pg.Pool({ connectionString: o.stack.databaseUrl, max: 2 });
  const keys = { current: o.stack.masterKey };
  const client = new Client({
    connection: o.connection,
    dataConverter: relayDataConverter({ keys, encrypt: o.encrypt, claimCheck: new ClaimCheckCodec({ store: new ClaimStore(pool, keys) }) }),
  });
  const starter = createTemporalStarter({
    client,
    taskQueue: RELAY_TASK_QUEUE,
    startTimeoutMs: START_TIMEOUT_MS,
    logger: createLogger('warn', 'bench-bare-start', process.stderr),
  });
  const source = sourceSchema.parse({ id: o.sourceId, kind: 'capillary', auth: { key: SOURCE_KEY } });
  return {
    prepare(prefix, count) {
      const receivedAt = new Date().toISOString();
      return Array.from({ length: count }, (_, i) =>
        capillarySource.normalize(JSON.parse(pointsIssuedBody(`${prefix}-${i}`)), { sourceId: o.sourceId, source, receivedAt }),
      );
    },
    async start(event) {
      const { duplicate } = await starter.start(event);
      if (duplicate) throw new Error(`bare start: ${event.id} was already started`);
    },
    close: () => pool.end(),
  };
}
