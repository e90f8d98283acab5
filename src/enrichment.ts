/** Enrichment data attached to an event before mapping. Types only: workflows import it. */
import type { CustomerDetails, CustomerProfile, PointsBalance } from './loyalty-api';

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
