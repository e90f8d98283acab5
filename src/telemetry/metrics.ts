/**
 * Prometheus metrics. The receiver's (ingest, OAuth, management) and the worker's (deliveries)
 * live in one registry per process: `npm start` serves both on the receiver's GET /metrics; a
 * worker run alone serves its own on RELAY_WORKER_METRICS_PORT (serveMetrics).
 */
import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A registry with the process metrics (CPU, memory, event loop) every relay process exports. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createMetrics(registry: Registry = createRegistry()) {
  return {
    registry,
    accepted: new Counter({
      name: 'relay_events_accepted_total',
      help: 'Events whose workflow was started (outcome=started) or already existed (outcome=duplicate).',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'relay_events_rejected_total',
      help: 'Ingestion requests (and batch events) refused with a 4xx or 503, by source and machine-readable code; nothing else counts here.',
      labelNames: ['source', 'code'] as const,
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'relay_oauth_token_requests_total',
      help: 'Requests to the OAuth token endpoint, by source and outcome (issued, or the RFC 6749 error code).',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
    authThrottled: new Counter({
      name: 'relay_auth_throttled_total',
      help: 'Requests refused 429 too_many_auth_failures, by endpoint (ingestion, token) and the limit reached (address, source).',
      labelNames: ['endpoint', 'limit'] as const,
      registers: [registry],
    }),
    management: new Counter({
      name: 'relay_management_requests_total',
      help: 'Management API requests, by method, resource and status code (machine-readable code for errors).',
      labelNames: ['method', 'resource', 'status', 'code'] as const,
      registers: [registry],
    }),
    otherErrors: new Counter({
      name: 'relay_http_other_errors_total',
      help: 'Errors answered outside ingestion and the management API (a path no route serves: not_found; an internal error of the OAuth token endpoint), by method and code.',
      labelNames: ['method', 'code'] as const,
      registers: [registry],
    }),
    ingestSeconds: new Histogram({
      name: 'relay_ingest_duration_seconds',
      help: 'Time from request to answer on the ingestion endpoint.',
      labelNames: ['status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What one delivery attempt came to (`relay_delivery_attempts_total{outcome}`). */
export type AttemptOutcome =
  /** 2xx: the request is delivered. */
  | 'delivered'
  /** Transient trouble (5xx, 429, timeout, connection error): another attempt follows. */
  | 'retried'
  /** A permanent failure (4xx, 410, refused address, credentials, unknown destination, template). */
  | 'failed_permanent'
  /** Transient trouble, but the retry window leaves no room for another attempt. */
  | 'failed_retry_window';

/** How a delivery (of one request) ended (`relay_deliveries_total{outcome}`): every attempt outcome but `retried`. */
export type DeliveryOutcome = Exclude<AttemptOutcome, 'retried'>;

/** Label of a destination the store could not resolve (deleted, or a name no configuration holds). */
export const UNKNOWN_DESTINATION = '_unknown';
/** Label of every destination beyond the cap (`maxDestinations`): the series count stays bounded. */
export const OTHER_DESTINATIONS = '_other';

/**
 * The worker's delivery metrics, labelled by destination. Destination names come from the
 * configuration, so the label set is bounded by it; the first `maxDestinations` names seen get
 * their own series, later ones share `_other` (a runaway configuration cannot blow up the
 * scraper).
 */
export function createDeliveryMetrics(registry: Registry = createRegistry(), options: { maxDestinations?: number } = {}) {
  const maxDestinations = options.maxDestinations ?? 200;
  const seen = new Set<string>();
  return {
    registry,
    /** The label for a destination the store resolved: its name, or `_other` beyond the cap. */
    destinationLabel(name: string): string {
      if (seen.has(name)) return name;
      if (seen.size >= maxDestinations) return OTHER_DESTINATIONS;
      seen.add(name);
      return name;
    },
    attempts: new Counter({
      name: 'relay_delivery_attempts_total',
      help: 'Delivery attempts (requests sent, or refused before sending), by destination and outcome: delivered, retried, failed_permanent, failed_retry_window.',
      labelNames: ['destination', 'outcome'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'relay_deliveries_total',
      help: "Deliveries settled by the deliver activity, by destination and outcome: delivered, failed_permanent, failed_retry_window. One per request (MoEngage's user events send two).",
      labelNames: ['destination', 'outcome'] as const,
      registers: [registry],
    }),
    attemptSeconds: new Histogram({
      name: 'relay_delivery_attempt_duration_seconds',
      help: 'Duration of one delivery attempt (slot wait, token, request and response), by destination and outcome.',
      labelNames: ['destination', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    latencySeconds: new Histogram({
      name: 'relay_delivery_latency_seconds',
      help: "Time from the event's acceptance by the receiver to the destination's 2xx, by destination.",
      labelNames: ['destination'] as const,
      // From a healthy first attempt (well under a second) to a day of retries.
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      registers: [registry],
    }),
    slaBreaches: new Counter({
      name: 'relay_delivery_sla_breaches_total',
      help: "Deliveries that settled after their destination's SLA (slaSeconds from acceptance), by destination and outcome (delivered late, or failed after the deadline).",
      labelNames: ['destination', 'outcome'] as const,
      registers: [registry],
    }),
    slotWaitSeconds: new Histogram({
      name: 'relay_delivery_connection_wait_seconds',
      help: "Time an attempt waited for one of its destination's maxConnections slots in this process, by destination.",
      labelNames: ['destination'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type DeliveryMetrics = ReturnType<typeof createDeliveryMetrics>;

/** Serve `registry` at GET /metrics (and nothing else) on `port`: the worker process's scrape endpoint. */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the worker serves GET /metrics only\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return Object.assign(server, { port: (server.address() as { port: number }).port });
}
