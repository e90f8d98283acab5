/** Raw samples collected across the run, for the JSON file and the chart. */
export interface Sample {
  /** Series name, e.g. `bare start`, `ingest (1 dest)`, `relay e2e (3 dest)`. */
  series: string;
  /** Date.now() when the sample completed. */
  at: number;
  latencyMs: number;
}

export class SampleLog {
  readonly samples: Sample[] = [];
  add(series: string, at: number, latencyMs: number): void {
    this.samples.push({ series, at, latencyMs });
  }
}
