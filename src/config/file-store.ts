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

  async getSource(id: string): Promise<SourceConfig | undefined> {
    return this.sources.get(id);
  }

  async resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
    return [...this.destinations.values()]
      .filter((d) => d.enabled && d.events.includes(event.name) && (!d.sources || d.sources.includes(event.source)))
      .map(toPlan);
  }

  async getDestination(name: string): Promise<DestinationConfig | undefined> {
    return this.destinations.get(name);
  }

  async getDestinationSecrets(name: string): Promise<Record<string, string>> {
    const d = this.destinations.get(name);
    if (!d) return {};
    const problems: ConfigProblem[] = [];
    const out: Record<string, string> = {};
    for (const h of d.headers) {
      if (h.secret) out[h.key] = resolveEnvRefs(h.value, this.env, h.key, problems);
    }
    if (problems.length > 0) throw new Error(`secrets of destination "${name}" cannot be resolved: ${problems.map((p) => p.message).join('; ')}`);
    return out;
  }
}
