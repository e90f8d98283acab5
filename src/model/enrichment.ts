/** Enrichment data attached to an event before mapping. Types only: workflows import it. */
import type { CustomerDetails, CustomerProfile, PointsBalance } from './lookups';

/** What a destination wants looked up before mapping (its `enrichment` settings). */
export interface EnrichmentChoices {
  /** The customer's available points balance (loyalty API lookup). */
  pointsBalance: boolean;
  /** Customer identifiers looked up in the loyalty API for this source (e.g. `INSTORE`). */
  customerIdentifiers?: string;
  /** Card numbers of the customer in that source; only with `customerIdentifiers`. */
  cardNumbers?: boolean;
  /** The store where the triggering activity happened (from the event). */
  store?: boolean;
  /** The till where the triggering activity happened (from the event). */
  till?: boolean;
  /** The reference id of the transaction that awarded the points (from the event). */
  awardedReferenceId?: boolean;
}

export interface StoreInfo {
  code?: string;
  name?: string;
  externalId?: string;
}

export interface TillInfo {
  code?: string;
  name?: string;
}

/**
 * Each field is present only when a subscribed destination asked for it; `null` means "looked
 * up, and there is none".
 */
export interface Enrichment {
  pointsBalance?: PointsBalance | null;
  /** The customer's identifiers in the chosen source (loyalty API lookup); card numbers only when asked for. */
  customerIdentifiers?: CustomerProfile | null;
  store?: StoreInfo | null;
  till?: TillInfo | null;
  awardedReferenceId?: string | null;
  /** The customer's profile from the brand's customer API (workflows that look it up, e.g. customerProfileEvent). */
  profile?: CustomerDetails | null;
  /** Lookups that could not be done, so templates and operators can tell "none" from "failed". */
  problems?: { lookup: string; message: string }[];
}
