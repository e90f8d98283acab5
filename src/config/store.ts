/**
 * What the receiver, the activities and the workflow need from configuration, and nothing
 * more: PgConfigStore implements it (test/helpers/file-store.ts too, for tests). Secrets are reached
 * only through the two `…Secrets`/credential methods, which only the deliver activity calls.
 * The shapes it hands out are the model's (src/model/): the store depends on them, not the reverse.
 */
import type { Credential } from '../model/credential';
import type { DestinationConfig, DestinationPlan, DestinationState } from '../model/destination';
import type { SourceConfig } from '../model/source';

export interface ConfigStore {
  getSource(id: string): Promise<SourceConfig | undefined>;
  /** Enabled destinations subscribed to this event name from this source (paused ones too: their deliveries are held). */
  resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]>;
  /** The current plan of one destination (enabled or not), for a redelivery; undefined when deleted. */
  planDestination(name: string): Promise<DestinationPlan | undefined>;
  /** Whether the destination is live and paused now. */
  destinationState(name: string): Promise<DestinationState>;
  /**
   * A destination's templates and settings, without secret values. With `version` (the one a
   * run planned with), that version, even after the destination changed or was deleted (every
   * version is kept); a store over a fixed configuration knows only the current one.
   */
  getDestination(name: string, version?: string): Promise<DestinationConfig | undefined>;
  /**
   * A destination's secrets, resolved, by slot (its connector's `withSecrets`: a settings field
   * name, or `header:<Key>` for a secret header value). For the deliver activity only.
   */
  getDestinationSecrets(name: string, version?: string): Promise<Record<string, string>>;
  /** A credential set with its secrets resolved. For the deliver activity only. */
  getCredential(name: string): Promise<Credential | undefined>;
}
