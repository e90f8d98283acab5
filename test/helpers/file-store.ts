/** ConfigStore over a validated configuration held in memory: the receiver's unit tests and the history recorder use it; the relay runs on PgConfigStore. */
import { destinationConnectors } from '../../src/destinations';
import { secretsOf } from '../../src/destinations/connector';
import type { RelayConfig } from '../../src/config/load';
import { credentialSecretRefs } from '../../src/model/secret-slots';
import { resolveEnvRefs } from '../../src/model/env-ref';
import type { FieldIssue } from '../../src/model/field-issue';
import type { ConfigStore } from '../../src/config/store';
import { toPlan, type DestinationConfig, type DestinationPlan, type DestinationState } from '../../src/model/destination';
import type { Credential } from '../../src/model/credential';
import type { SourceConfig } from '../../src/model/source';

type Env = Record<string, string | undefined>;

/** `compute` once per key; a rejection is not kept, so the next call tries again. */
function memoize<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let found = cache.get(key);
  if (!found) {
    found = compute();
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

export class FileConfigStore implements ConfigStore {
  private readonly sources: Map<string, SourceConfig>;
  private readonly destinations: Map<string, DestinationConfig>;
  private readonly credentials: Map<string, Credential>;
  /** Resolved secrets, once per destination / credential: a file store's config and environment are fixed. */
  private readonly resolvedSecrets = new Map<string, Promise<Record<string, string>>>();
  private readonly resolvedCredentials = new Map<string, Promise<Credential>>();

  constructor(
    config: Pick<RelayConfig, 'sources' | 'destinations'> & Partial<Pick<RelayConfig, 'credentials'>>,
    private readonly env: Env = process.env,
  ) {
    this.sources = new Map(config.sources.map((s) => [s.id, s]));
    this.destinations = new Map(config.destinations.map((d) => [d.name, d]));
    this.credentials = new Map((config.credentials ?? []).map((c) => [c.name, c]));
  }

  // In memory, so the promises are settled at once; the interface is async for stores that do I/O.
  getSource(id: string): Promise<SourceConfig | undefined> {
    return Promise.resolve(this.sources.get(id));
  }

  resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
    return Promise.resolve(
      [...this.destinations.values()]
        .filter((d) => d.enabled && d.events.includes(event.name) && (!d.sources || d.sources.includes(event.source)))
        .map((d) => toPlan(d, d.paused)),
    );
  }

  planDestination(name: string): Promise<DestinationPlan | undefined> {
    const d = this.destinations.get(name);
    return Promise.resolve(d && toPlan(d, d.paused));
  }

  destinationState(name: string): Promise<DestinationState> {
    const d = this.destinations.get(name);
    // Without a database the file is the only state: `paused: true` holds until the file changes.
    return Promise.resolve(!d ? 'deleted' : d.paused ? 'paused' : d.enabled ? 'active' : 'disabled');
  }

  getDestination(name: string): Promise<DestinationConfig | undefined> {
    return Promise.resolve(this.destinations.get(name));
  }

  getDestinationSecrets(name: string): Promise<Record<string, string>> {
    const d = this.destinations.get(name);
    const connector = d && destinationConnectors[d.kind];
    if (!d || !connector) return Promise.resolve({});
    return memoize(this.resolvedSecrets, name, () => this.resolveAll(`destination "${name}"`, secretsOf(connector, d.settings)));
  }

  getCredential(name: string): Promise<Credential | undefined> {
    const c = this.credentials.get(name);
    if (!c) return Promise.resolve(undefined);
    return memoize(this.resolvedCredentials, name, async () => ({
      ...c,
      ...(await this.resolveAll(`credential "${name}"`, credentialSecretRefs(c))),
    }));
  }

  private resolveAll(what: string, refs: Record<string, string>): Promise<Record<string, string>> {
    const problems: FieldIssue[] = [];
    const out: Record<string, string> = {};
    for (const [slot, ref] of Object.entries(refs)) out[slot] = resolveEnvRefs(ref, this.env, slot, problems);
    if (problems.length > 0) {
      return Promise.reject(new Error(`secrets of ${what} cannot be resolved: ${problems.map((p) => p.message).join('; ')}`));
    }
    return Promise.resolve(out);
  }
}
