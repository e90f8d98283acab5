/** Enrichment data attached to an event before mapping. Types only: workflows import it. */
import type { PointsBalance } from './loyalty-api';

export interface Enrichment {
  pointsBalance?: PointsBalance | null;
  /** Lookups that could not be done, so templates and operators can tell "none" from "failed". */
  problems?: { lookup: string; message: string }[];
}
