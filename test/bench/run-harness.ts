/** Runs `npm run bench` / `npm run chaos` entry points as child processes into a temporary results folder. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface HarnessRun {
  code: number | null;
  output: string;
  outDir: string;
  readJson<T>(file: string): T;
}

export async function runHarness(entry: 'bench' | 'chaos', args: string[]): Promise<HarnessRun> {
  const outDir = mkdtempSync(join(tmpdir(), `relay-${entry}-`));
  const env = { ...process.env };
  delete env.TEMPORAL_ADDRESS;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', entry, 'main.ts'), ...args, '--out', outDir], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, outDir, readJson: <T>(file: string) => JSON.parse(readFileSync(join(outDir, file), 'utf8')) as T };
}
