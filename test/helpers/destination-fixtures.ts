/**
 * The destination a connector test renders for and the context it sends with: every connector
 * unit test builds the same ones, so a change to DestinationConfig or SendContext lands here once.
 */
import type { SendContext } from '../../src/destinations/connector';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { DestinationConfig } from '../../src/model/destination';
import { loyaltyEvent } from './activity-fakes';

/** The clock every connector test renders and signs at. */
export const NOW = Date.parse('2026-11-23T10:00:00.000Z');

/** A Capillary loyalty event, with the fields a test cares about overridden. */
export const capillaryEvent = (overrides: Partial<CanonicalEvent> = {}): CanonicalEvent =>
  loyaltyEvent({ source: 'capillary', ...overrides });

/** A destination of `kind` named `<kind>-dest`; `overrides` replaces whole top-level fields. */
export function destination<S>(kind: string, settings: S, overrides: Partial<DestinationConfig<S>> = {}): DestinationConfig<S> {
  return {
    name: `${kind}-dest`,
    kind,
    version: 'v',
    enabled: true,
    events: ['pointsIssued'],
    slaSeconds: 60,
    maxConnections: 10,
    timeoutSeconds: 10,
    retryWindowSeconds: 3600,
    enrichment: { pointsBalance: true },
    settings,
    ...overrides,
  };
}

/** Credentials a test expects never to be asked for: asking fails the send. */
const noCredentials = {
  headersFor: () => Promise.reject(new Error('no credentials in this test')),
};

export function sendContext<S>(d: DestinationConfig<S>, secrets: Record<string, string>, body = '{}'): SendContext<S> {
  return {
    destination: d,
    request: { method: 'POST', url: 'https://x.example', headers: {}, body },
    idempotencyKey: 'msg_test',
    secrets,
    credentials: noCredentials,
    nowSeconds: Math.floor(NOW / 1000),
    forceRefresh: false,
  };
}
