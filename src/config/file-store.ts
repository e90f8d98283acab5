/** ConfigStore over a validated configuration file held in memory. */
import type { RelayConfig } from './load';
import { resolveEnvRefs, type ConfigProblem } from './load';
import { toPlan, type ConfigStore, type DestinationConfig, type DestinationPlan, type SourceConfig } from './store';

type Env = Record<string, string | undefined>;

export class FileConfigStore implements ConfigStore {
  private readonly sources: Map<string, SourceConfig>;
  private readonly destinations: Map<string, DestinationConfig>;

  constructor(
    config: RelayConfig,
    private readonly env: Env = process.env,
  ) {
    this.sources = new Map(config.sources.map((s) => [s.id, s]));
    this.destinations = new Map(config.destinations.map((d) => [d.name, d]));
  }

  // In memory, so the promises are settled at once; the interface is async for stores that do I/O.
  getSource(id: string): Promise<SourceConfig | undefined> {
    return Promise.resolve(this.sources.get(id));
  }

  resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
    return Promise.resolve(
      [...this.destinations.values()]
        .filter((d) => d.enabled && d.events.includes(event.name) && (!d.sources || d.sources.includes(event.source)))
        .map(toPlan),
    );
  }

  getDestination(name: string): Promise<DestinationConfig | undefined> {
    return Promise.resolve(this.destinations.get(name));
  }

  getDestinationSecrets(name: string): Promise<Record<string, string>> {
    const d = this.destinations.get(name);
    if (!d) return Promise.resolve({});
    const problems: ConfigProblem[] = [];
    const out: Record<string, string> = {};
    for (const h of d.headers) {
      if (h.secret) out[h.key] = resolveEnvRefs(h.value, this.env, h.key, problems);
    }
    if (problems.length > 0) {
      return Promise.reject(new Error(`secrets of destination "${name}" cannot be resolved: ${problems.map((p) => p.message).join('; ')}`));
    }
    return Promise.resolve(out);
  }
}
