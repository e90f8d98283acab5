/**
 * The relay configuration the harness runs: sources `bench1`…`benchN` (Capillary kind) and
 * destinations `d1`…`dN` on the local sink, where an event from `benchK` goes to the first K
 * destinations — so one run can measure 1 and 3 destinations per event.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_KEY = 'bench-source-key';
export const MOBILE = '919999000001';

export interface RelayConfigOptions {
  sinkUrl: string;
  maxDestinations: number;
  timeoutSeconds?: number;
  retryWindowSeconds?: number;
}

export function writeRelayConfig(dir: string, o: RelayConfigOptions): string {
  const sources = Array.from(
    { length: o.maxDestinations },
    (_, i) => `  - { id: bench${i + 1}, kind: capillary, auth: { key: ${SOURCE_KEY} } }`,
  );
  const destinations = Array.from({ length: o.maxDestinations }, (_, i) => {
    const n = i + 1;
    const from = Array.from({ length: o.maxDestinations - i }, (_, j) => `bench${n + j}`).join(', ');
    return [
      `  - name: d${n}`,
      `    kind: webhook`,
      `    events: [pointsIssued]`,
      `    sources: [${from}]`,
      `    url: ${o.sinkUrl}/d${n}`,
      `    headers: [{ key: X-Loyalty-Event, value: '{{ event.name }}' }]`,
      `    body: { eventId: '{{ event.id }}', customerId: '{{ event.customer.id }}', points: '{{ event.properties.totalPointsIssued }}', balance: '{{ enrichment.pointsBalance.totalPoints | default: null }}' }`,
      `    enrichment: { pointsBalance: true }`,
      `    slaSeconds: 60`,
      `    timeoutSeconds: ${o.timeoutSeconds ?? 10}`,
      `    maxConnections: 20`,
      `    retryWindowSeconds: ${o.retryWindowSeconds ?? 3600}`,
    ].join('\n');
  });
  const file = join(dir, 'relay.yaml');
  // The sink is on loopback, which the outbound guard refuses unless allowed.
  const outbound = `outbound:\n  allowPrivateNetworks: ['127.0.0.0/8', '::1']\n`;
  writeFileSync(file, `sources:\n${sources.join('\n')}\ndestinations:\n${destinations.join('\n')}\n${outbound}`);
  return file;
}

/** A Capillary pointsIssued notification, as the load generator posts it. */
export function pointsIssuedBody(eventId: string): string {
  return JSON.stringify({
    eventName: 'pointsIssued',
    eventId,
    orgId: 50074,
    refId: 'bill-88121',
    createdAt: Date.now(),
    data: {
      loyaltyProgramId: 973,
      programCurrentPoints: 4500,
      totalPointsIssued: 250,
      customerIdentifiers: { customerId: 412345678, instore: { mobile: MOBILE, email: 'asha@example.com' } },
      triggeringActivity: { name: 'TransactionAdd', enteredBy: { id: 75031, till: { code: 'till-07' }, store: { code: 'blr-01' } } },
    },
  });
}
