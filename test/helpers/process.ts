/** Runs one of the relay's entry points as a real child process, the way `npm start` does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface RelayProcess {
  proc: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Poll `url` until it answers `status`; rejects with the process output on timeout or exit. */
  waitFor(url: string, status?: number, timeoutMs?: number): Promise<void>;
  /** Send a signal and wait for the exit code (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

const ROOT = join(__dirname, '..', '..');

export function spawnRelay(entry: string, env: Record<string, string>): RelayProcess {
  const base = { ...process.env };
  delete base.TEMPORAL_ADDRESS;
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  return {
    proc,
    output: () => out,
    async waitFor(url, status = 200, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`${entry} exited with ${proc.exitCode}:\n${out}`);
        try {
          const res = await fetch(url);
          if (res.status === status) return;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms:\n${out}`);
    },
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
