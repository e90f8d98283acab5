/** What a fault scenario is: a name, a story, and the fault it injects while load runs. */
import type { RelayStack } from '../bench/relay-stack';
import type { BenchSink } from '../bench/sink';
import type { TemporalServer } from '../bench/temporal-dev';

export interface ChaosContext {
  temporal: TemporalServer;
  stack: RelayStack;
  sink: BenchSink;
  say: (message: string) => void;
  /** How long store-refusal keeps the store closed. */
  storeOutageSeconds: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Run once about half the events are acknowledged; resolves when the system is whole again. */
  inject(ctx: ChaosContext): Promise<void>;
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
