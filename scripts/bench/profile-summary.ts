/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --profile`): where the
 * process's time went by package or source folder (self time), and the functions with the most
 * self and total time. Usage:
 *   npx tsx scripts/bench/profile-summary.ts FILE.cpuprofile [--top N] [--from MS] [--to MS] [--timeline]
 * --from/--to keep only the samples in that window (ms since the profile started); --timeline
 * prints busy milliseconds per second of the profile, to find a phase's window (start-up
 * shows as the first busy seconds).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame comes from: an npm package, a folder of this repository, Node's internals, or V8's own buckets. */
export function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const local = /\/(src|workflows|scripts|test)\/(?:([^/]+)\/)?[^/]*$/.exec(url);
  if (local) return local[2] ? `${local[1]}/${local[2]}` : `${local[1]}/${url.split('/').pop() ?? ''}`;
  return url;
}

const frameKey = (f: CallFrame) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|workflows|scripts)\//, '$1/')}:${f.lineNumber + 1}`;

export function summarizeProfile(profile: CpuProfile, window: { from?: number; to?: number } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const category = new Map<string, number>();
  /** Busy (not idle) ms in each second of the profile. */
  const timeline: number[] = [];
  let t = 0;
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if ((window.from !== undefined && t < window.from) || (window.to !== undefined && t > window.to)) continue;
    const node = byId.get(profile.samples[i] as number);
    if (!node) continue;
    sampled += dt;
    const second = Math.floor(t / 1000);
    if (node.callFrame.functionName !== '(idle)') timeline[second] = (timeline[second] ?? 0) + dt;
    const key = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const cat = categoryOf(node.callFrame);
    category.set(cat, (category.get(cat) ?? 0) + dt);
    // Total time: each function once per sample, however often it recurses.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id);
      if (!n || n.callFrame.functionName === '(root)') continue;
      const k = frameKey(n.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { sampledMs: sampled, self: sorted(self), total: sorted(total), categories: sorted(category), timeline };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, timeline: { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('usage: npx tsx scripts/bench/profile-summary.ts FILE.cpuprofile [--top N] [--from MS] [--to MS] [--timeline]\n');
    process.exit(2);
  }
  const top = Number(values.top ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const s = summarizeProfile(profile, {
    ...(values.from ? { from: Number(values.from) } : {}),
    ...(values.to ? { to: Number(values.to) } : {}),
  });
  if (values.timeline) {
    const row = (ms: number | undefined, i: number) => `${String(i).padStart(4)} s ${String(Math.round(ms ?? 0)).padStart(5)} ms busy`;
    process.stdout.write(`${Array.from(s.timeline, row).join('\n')}\n`);
    return;
  }
  const busy = s.sampledMs - (s.categories.find(([c]) => c === '(idle)')?.[1] ?? 0);
  const pct = (ms: number) => `${((100 * ms) / Math.max(busy, 1)).toFixed(1).padStart(5)} %`;
  const line = ([k, ms]: [string, number]) => `${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${k}`;
  const out = [
    `${file}: ${(s.sampledMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (percentages are of busy time)`,
    '',
    'Self time by package / folder:',
    ...s.categories
      .filter(([c]) => c !== '(idle)')
      .slice(0, top)
      .map(line),
    '',
    'Functions by self time:',
    ...s.self
      .filter(([k]) => !k.startsWith('(idle)'))
      .slice(0, top)
      .map(line),
    '',
    'Functions by total time (self + callees):',
    ...s.total
      .filter(([k]) => !/^\((idle|program|root)\)/.test(k))
      .slice(0, top)
      .map(line),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) main();
