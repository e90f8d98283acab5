/**
 * The receiver app on a random local port, with a configuration given inline and an injectable
 * starter; it listens as the relay does (listenReceiver: the production timeouts).
 */
import type { Server } from 'node:http';
import { workflowIdFor, type CanonicalEvent } from '../../src/model/canonical-event';
import { FileConfigStore } from './file-store';
import { parseConfig } from '../../src/config/load';
import { TemporalUnavailableError } from '../../src/http/inbound/errors';
import { createLogger } from '../../src/telemetry/logger';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics';
import { createReceiverApp, type ReceiverOptions } from '../../src/receiver/app';
import { listenReceiver, type ReceiverTimeouts } from '../../src/receiver/listen';
import type { EventStarter } from '../../src/receiver/starter';
import { createAuthThrottle, DEFAULT_AUTH_THROTTLE } from '../../src/http/inbound/throttle';

/** An in-memory starter: remembers started workflow ids; event ids in `unavailable` fail as if Temporal were down. */
export function fakeStarter(): EventStarter & { started: Map<string, CanonicalEvent>; unavailable: Set<string> } {
  const started = new Map<string, CanonicalEvent>();
  const unavailable = new Set<string>();
  return {
    started,
    unavailable,
    start(event) {
      const workflowId = workflowIdFor(event.source, event.id);
      if (unavailable.has(event.id)) return Promise.reject(new TemporalUnavailableError(7));
      if (started.has(workflowId)) return Promise.resolve({ workflowId, duplicate: true });
      started.set(workflowId, event);
      return Promise.resolve({ workflowId, duplicate: false });
    },
    ready: () => Promise.resolve(true),
  };
}

export interface TestReceiver {
  url: string;
  server: Server;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function startReceiver(
  sources: unknown[],
  starter: EventStarter,
  options: Partial<Omit<ReceiverOptions, 'starter' | 'metrics'>> = {},
  /** The server's header, request and keep-alive timeouts (default: the relay's defaults). */
  timeouts?: ReceiverTimeouts,
): Promise<TestReceiver> {
  const metrics = createMetrics();
  const app = createReceiverApp({
    store: new FileConfigStore(parseConfig({ sources }, {})),
    starter,
    logger: createLogger('silent'),
    metrics,
    maxBodyBytes: 64 * 1024,
    // Tests of the auth schemes send many wrong credentials from one address on purpose; the
    // throttle has its own tests (test/unit/http/inbound/throttle.test.ts), which pass their own.
    authThrottle: createAuthThrottle({ ...DEFAULT_AUTH_THROTTLE, perAddress: 10_000, perSource: 10_000 }),
    ...options,
  });
  const server = await listenReceiver(app, 0, '127.0.0.1', timeouts);
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
