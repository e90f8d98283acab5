/** Prometheus metrics of the receiver, served at GET /metrics. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
