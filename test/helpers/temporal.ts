/** A real Temporal dev server for one test file, in memory, with the relay's search attributes. */
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, Runtime, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { workflowsPath } from '../../src/worker';

let runtimeInstalled = false;

/** Quiet SDK logs in tests: warnings and errors only. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
}

export async function startTestTemporal(): Promise<DevServer> {
  installQuietRuntime();
  const cli = resolveTemporalCli(process.env, () => undefined, { build: false });
  return startDevServer({ cli });
}

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow bundle, built once per test file. */
export function testBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
  return bundle;
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
