/**
 * The secrets one delivery attempt sends with. Settings (URL, templates, which headers are
 * secret, the credential set's name, whether to sign) stay those of the version the run planned
 * with; the secret *values* are the destination's current ones, so a secret rotated after an
 * event was accepted — a leaked key replaced — reaches that event's next attempt. They are read
 * here, at send time, and never enter workflow history.
 */
import type { ConfigStore } from '../src/config/store';
import type { DestinationConfig } from '../src/model/destination';

/**
 * Each secret slot of the pinned version (`header:<Key>`, `signingSecret`, `dataApiKey`…),
 * filled from the current version when it has that slot; a slot the current version no longer
 * has (a secret header renamed, the destination deleted) keeps the pinned version's value, so
 * the request still authenticates as the version it was rendered for.
 */
export async function attemptSecrets(store: ConfigStore, pinned: DestinationConfig): Promise<Record<string, string>> {
  const current = await store.getDestination(pinned.name);
  if (!current || current.version === pinned.version) return store.getDestinationSecrets(pinned.name, pinned.version);
  const [old, now] = await Promise.all([
    store.getDestinationSecrets(pinned.name, pinned.version),
    store.getDestinationSecrets(pinned.name, current.version),
  ]);
  const secrets: Record<string, string> = {};
  for (const [slot, value] of Object.entries(old)) secrets[slot] = now[slot] ?? value;
  return secrets;
}
