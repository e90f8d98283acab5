/**
 * Child processes of the harness: the relay's real entry points, the Temporal server, the
 * floor worker and the direct relay. Output goes to a log file (no pipe to drain, so the
 * harness adds no back-pressure); readiness is a line in that log or an HTTP answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Child {
  name: string;
  proc: ChildProcess;
  logFile: string;
  log(): string;
  /** Resolves when the log contains `text`; rejects if the process exits first or on timeout. */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Peak resident set size (VmHWM) in MiB, while the process runs. */
  peakRssMiB(): number | undefined;
  /** Signal and wait for exit (SIGKILL after graceMs). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function spawnChild(name: string, command: string, args: string[], env: Record<string, string>, logDir: string): Child {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const proc = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    name,
    proc,
    logFile,
    log,
    exited,
    async waitForLog(text, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const out = log();
        if (typeof text === 'string' ? out.includes(text) : text.test(out)) return;
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}):\n${out.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${name}: no "${String(text)}" in its log within ${timeoutMs} ms:\n${log().slice(-4000)}`);
    },
    peakRssMiB() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        return m ? Math.round(Number(m[1]) / 1024) : undefined;
      } catch {
        return undefined;
      }
    },
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TypeScript entry point of this repository, run with tsx like `npm run start:*` does (`nodeArgs`: extra flags for node). */
export function spawnTs(name: string, entry: string, env: Record<string, string>, logDir: string, nodeArgs: string[] = []): Child {
  return spawnChild(name, process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, entry)], env, logDir);
}

/** Node flags writing a CPU profile of every thread of the process to `dir`/`name` when it exits (none without `dir`). */
export function profileArgs(dir: string | undefined, name: string): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`] : [];
}
