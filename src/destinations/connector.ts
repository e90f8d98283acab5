/** The contract of a destination kind: render a canonical event into an HTTP request. */
import type { CanonicalEvent } from '../canonical-event';
import type { DestinationConfig } from '../config/store';
import type { Enrichment } from '../enrichment';

/** What the workflow records of a request: secret header values are added at send time only. */
export interface OutboundRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RenderInput {
  destination: DestinationConfig;
  event: CanonicalEvent;
  enrichment: Enrichment;
}

export interface DestinationConnector {
  kind: DestinationConfig['kind'];
  /** Throws MissingPlaceholderError when a template needs a value the event lacks. */
  render(input: RenderInput): OutboundRequest;
}

export type DeliveryVerdict = 'delivered' | 'retry' | 'permanent' | 'gone';

/** DESIGN.md delivery semantics: 2xx delivered; 408/425/429/5xx retry; 410 gone; the rest permanent (3xx included). */
export function classifyStatus(status: number): DeliveryVerdict {
  if (status >= 200 && status <= 299) return 'delivered';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  if (status === 410) return 'gone';
  return 'permanent';
}
