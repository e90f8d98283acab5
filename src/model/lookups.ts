/** What the loyalty platform's and the brand's customer APIs answer to the lookups enrichment makes. Types only. */

/** The loyalty API's answer to a points balance lookup. */
export interface PointsBalance {
  entityId?: number | string;
  totalPoints: number;
  mainPoints?: number;
  promisedPoints?: number;
}

/** A customer's identifiers in one source (channel) of the loyalty platform. */
export interface CustomerProfile {
  source: string;
  id?: number | string;
  mobile?: string;
  email?: string;
  externalId?: string;
  cardNumbers?: string[];
}

/** A customer's profile as the brand's customer API knows it (names and contacts: PII). */
export interface CustomerDetails {
  id?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  mobile?: string;
  externalId?: string;
  /** The platform's custom profile fields (Capillary `extendedFields`), as text. */
  fields?: Record<string, string>;
}
