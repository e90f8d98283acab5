/**
 * CPU time per process over a phase, read from /proc (Linux; elsewhere nothing is reported).
 * Throughput on a shared machine is bounded by CPU, so "how many CPU milliseconds each process
 * spent per event" says where a phase's time went — and whether two phases being compared
 * shared the cores with the same work.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process so far, or undefined when it cannot be read. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15, i.e. 12 and 13 counted from field 3.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine so far (every core, every process), or undefined. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The processes to account, by name, as functions (a process may be restarted between phases). */
export type ProcessPids = Record<string, () => number | undefined>;

/** CPU milliseconds per event of each process over one phase; `machine` is every process on it, the harness's neighbours too. */
export type CpuPerEvent = Record<string, number>;

/** CPU seconds so far of each process named, and of the machine (`machine`). */
export function readCpu(pids: ProcessPids): Map<string, number | undefined> {
  const m = new Map<string, number | undefined>();
  for (const [name, pid] of Object.entries(pids)) m.set(name, cpuSecondsOf(pid()));
  m.set('machine', machineBusySeconds());
  return m;
}

/** CPU seconds per process summed over several stretches of time (a phase run in rounds). */
export class CpuTotals {
  private readonly seconds = new Map<string, number>();
  private since: Map<string, number | undefined> | undefined;
  constructor(private readonly pids: ProcessPids) {}

  start(): void {
    this.since = readCpu(this.pids);
  }

  stop(): void {
    const before = this.since;
    this.since = undefined;
    if (!before) return;
    for (const [name, end] of readCpu(this.pids)) {
      const start = before.get(name);
      if (start !== undefined && end !== undefined) this.seconds.set(name, (this.seconds.get(name) ?? 0) + end - start);
    }
  }

  /** CPU milliseconds per event of each process (one decimal). */
  perEvent(events: number): CpuPerEvent {
    const out: CpuPerEvent = {};
    if (events <= 0) return out;
    for (const [name, s] of this.seconds) out[name] = Math.round((s * 1000 * 10) / events) / 10;
    return out;
  }
}

/** Call at the start of a phase; the returned function, at its end, gives each process's CPU ms per event. */
export function startCpuAccount(pids: ProcessPids): (events: number) => CpuPerEvent {
  const totals = new CpuTotals(pids);
  totals.start();
  return (events) => {
    totals.stop();
    return totals.perEvent(events);
  };
}
