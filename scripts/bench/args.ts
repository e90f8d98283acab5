/**
 * Command-line options of `npm run bench` and `npm run chaos` (one schema, documented in the
 * README's Performance section and printed by `--help`).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const HELP = `Options:
  --events N          events per phase (default 500 for bench, 200 per chaos scenario)
  --duration S        run each phase for S seconds instead of a number of events
  --concurrency C     requests in flight (default 16)
  --rate R            fixed arrival rate, events/s (open loop; --concurrency caps in-flight)
  --destinations L    destinations per event, comma list (bench default "1,3"; chaos uses 1)
  --server dev|postgres  the embedded dev server (SQLite file) or a full server on PostgreSQL
                      (default dev; postgres with --production)
  --scenario NAME     chaos only: all | worker-kill | receiver-kill | temporal-restart | store-refusal |
                      destination-outage | slow-destination, or a comma list (default all; with
                      --production the five production scenarios, all but slow-destination)
  --production        chaos only: production shape — full Temporal server on PostgreSQL, 2 worker
                      and 2 receiver processes (the sender round-robins between the receivers),
                      2000 events per scenario unless --events says otherwise
  --workers N         chaos only: worker processes (default 1; 2 with --production)
  --receivers N       chaos only: receiver processes (default 1; 2 with --production)
  --store-outage-seconds S  chaos only: how long store-refusal keeps the store closed (default 20)
  --phases LIST       bench only: bare,floor,relay,latency,direct (default all)
  --stacks LIST       bench only: how the relay runs for the relay and latency phases, one after
                      another: separate (worker-main + receiver-main processes), eager (npm start's
                      one process, RELAY_EAGER_START=true), combined (one process, eager start off).
                      Default separate,eager,combined
  --codec LIST        bench only: on, off or on,off (default on): run each stack with the payload
                      codec (encryption) on, and/or off (RELAY_PAYLOAD_ENCRYPTION=false), one
                      after the other, to measure what encryption costs in throughput and bytes
  --latency-events N  bench only: events of the latency phase (default 100; 1 destination)
  --latency-rate R    bench only: its open-loop arrival rate, events/s, below capacity (default 10)
  --history-samples N bench only: runs per configuration whose histories are read for billable
                      actions, history events and bytes (default 5; the maximum is reported)
  --profile           bench only: run the relay's processes with node --cpu-prof; the .cpuprofile
                      files land in the run's log folder (summarise one with
                      npx tsx scripts/bench/profile-summary.ts FILE)
  --out DIR           results folder (default bench-results/)
  --no-chart          skip the PNG
Env: TEMPORAL_ADDRESS runs against an existing server instead (its own state, not restartable by chaos).`;

const schema = z.object({
  events: z.coerce.number().int().positive().optional(),
  duration: z.coerce.number().positive().optional(),
  concurrency: z.coerce.number().int().positive().default(16),
  rate: z.coerce.number().positive().optional(),
  destinations: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma list of numbers, e.g. 1,3')
    .optional(),
  server: z.enum(['dev', 'postgres']).optional(),
  scenario: z.string().default('all'),
  production: z.boolean().default(false),
  workers: z.coerce.number().int().min(1).max(8).optional(),
  receivers: z.coerce.number().int().min(1).max(8).optional(),
  storeOutageSeconds: z.coerce.number().positive().max(600).default(20),
  phases: z
    .string()
    .regex(
      /^(bare|floor|relay|latency|direct)(,(bare|floor|relay|latency|direct))*$/,
      'a comma list of bare, floor, relay, latency, direct',
    )
    .default('bare,floor,relay,latency,direct'),
  stacks: z
    .string()
    .regex(/^(separate|eager|combined)(,(separate|eager|combined))*$/, 'a comma list of separate, eager, combined')
    .default('separate,eager,combined'),
  codec: z
    .string()
    .regex(/^(on|off)(,(on|off))*$/, 'on, off or on,off')
    .default('on'),
  latencyEvents: z.coerce.number().int().positive().default(100),
  latencyRate: z.coerce.number().positive().default(10),
  historySamples: z.coerce.number().int().positive().default(5),
  profile: z.boolean().default(false),
  out: z.string().default('bench-results'),
  chart: z.boolean().default(true),
  help: z.boolean().default(false),
});

export type HarnessOptions = z.infer<typeof schema>;

export function parseHarnessArgs(argv: string[]): HarnessOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      destinations: { type: 'string' },
      server: { type: 'string' },
      scenario: { type: 'string' },
      production: { type: 'boolean' },
      workers: { type: 'string' },
      receivers: { type: 'string' },
      'store-outage-seconds': { type: 'string' },
      phases: { type: 'string' },
      stacks: { type: 'string' },
      codec: { type: 'string' },
      'latency-events': { type: 'string' },
      'latency-rate': { type: 'string' },
      'history-samples': { type: 'string' },
      profile: { type: 'boolean' },
      out: { type: 'string' },
      'no-chart': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const {
    'latency-events': latencyEvents,
    'latency-rate': latencyRate,
    'history-samples': historySamples,
    'no-chart': noChart,
    'store-outage-seconds': storeOutageSeconds,
    ...rest
  } = values;
  const parsed = schema.safeParse({ ...rest, latencyEvents, latencyRate, historySamples, storeOutageSeconds, chart: !noChart });
  if (!parsed.success) {
    const flag = (key: PropertyKey) => String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new Error(
      `invalid options:\n${parsed.error.issues.map((i) => `  --${i.path.map(flag).join('.')}: ${i.message}`).join('\n')}\n${HELP}`,
    );
  }
  return parsed.data;
}

/** Which Temporal server: --server, else a full one on PostgreSQL for --production, else the dev server. */
export function serverMode(o: HarnessOptions): 'dev' | 'postgres' {
  return o.server ?? (o.production ? 'postgres' : 'dev');
}

export type StackMode = 'separate' | 'eager' | 'combined';

export const STACK_DESCRIPTIONS: Record<StackMode, string> = {
  separate: 'worker-main and receiver-main as two processes',
  eager: 'npm start, worker and receiver in one process, eager start on',
  combined: 'npm start, worker and receiver in one process, eager start off',
};

export interface StackRun {
  mode: StackMode;
  /** Payload encryption on or off (RELAY_PAYLOAD_ENCRYPTION) for this run of the stack. */
  codec: 'on' | 'off';
  /** The stack's name in results: the mode, plus the codec setting when --codec is not just "on". */
  label: string;
}

/** Each --stacks mode with each --codec setting, in the order given. */
export function stackRuns(o: HarnessOptions): StackRun[] {
  const codecs = [...new Set(o.codec.split(','))] as ('on' | 'off')[];
  const plain = codecs.length === 1 && codecs[0] === 'on';
  return stackModes(o).flatMap((mode) => codecs.map((codec) => ({ mode, codec, label: plain ? mode : `${mode}, codec ${codec}` })));
}

/** The --stacks list, in the order given, without repeats. */
export function stackModes(o: HarnessOptions): StackMode[] {
  return [...new Set(o.stacks.split(','))] as StackMode[];
}

export function destinationCounts(o: HarnessOptions, fallback: number[]): number[] {
  return o.destinations ? o.destinations.split(',').map(Number) : fallback;
}

/** A run of `npm run <script>`: its id (UTC time), its log folder under --out (created), the command as typed. */
export function startRun(script: 'bench' | 'chaos', folderPrefix: string, argv: string[], out: string) {
  const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const outDir = resolve(out);
  const dir = join(outDir, `${folderPrefix}-${runId}`);
  mkdirSync(dir, { recursive: true });
  return { runId, outDir, dir, command: `npm run ${script}${argv.length ? ` -- ${argv.join(' ')}` : ''}` };
}
