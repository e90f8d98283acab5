/**
 * Which Temporal the harness runs against: its own dev server (default), its own full server on
 * PostgreSQL, or TEMPORAL_ADDRESS. Whichever it is, the relay's search attributes
 * (ALL_SEARCH_ATTRIBUTES) must exist there, with their types: checked before any load.
 */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../../test/helpers/ports';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { startDevTemporal, waitForTemporal, type TemporalServer } from './temporal-dev';
import { startPostgresTemporal } from './temporal-postgres';

/** IndexedValueType numbers of temporal.api.enums.v1 by the SDK's SearchAttributeType names. */
const INDEXED_VALUE_TYPE: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

/** Every relay search attribute missing on the server, or registered with another type, as text (empty when all is well). */
export function searchAttributeProblems(registered: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const k of ALL_SEARCH_ATTRIBUTES) {
    const type = registered[k.name];
    if (type === undefined) problems.push(`${k.name} (${k.type}) is not registered`);
    else if (type !== INDEXED_VALUE_TYPE[k.type]) problems.push(`${k.name} is registered with type ${type}, not ${k.type}`);
  }
  return problems;
}

/** Fails when a relay search attribute is missing or mistyped (after a short grace: a fresh registration may take a moment to show). */
export async function checkSearchAttributes(address: string, namespace = 'default', graceMs = 15_000): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const problems = searchAttributeProblems(customAttributes ?? {});
      if (problems.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `the relay's search attributes are not all on ${address}/${namespace}: ${problems.join('; ')}. Run: TEMPORAL_ADDRESS=${address} npm run register-search-attributes`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await connection.close();
  }
}

export async function startTemporalFor(mode: 'dev' | 'postgres', dir: string, say: (m: string) => void): Promise<TemporalServer> {
  const server = await startTemporal(mode, dir, say);
  try {
    await checkSearchAttributes(server.address);
  } catch (e) {
    await server.teardown();
    throw e;
  }
  return server;
}

async function startTemporal(mode: 'dev' | 'postgres', dir: string, say: (m: string) => void): Promise<TemporalServer> {
  const existing = process.env.TEMPORAL_ADDRESS;
  if (existing) {
    say(`TEMPORAL_ADDRESS=${existing}: using that server`);
    await waitForTemporal(existing);
    const unsupported = () => Promise.reject(new Error('cannot stop or start a server given by TEMPORAL_ADDRESS'));
    return {
      address: existing,
      description: `existing server at ${existing}`,
      child: () => undefined,
      stop: unsupported,
      start: unsupported,
      teardown: async () => {},
    };
  }
  if (mode === 'postgres') return startPostgresTemporal({ dir, say });
  const port = await freePort();
  return startDevTemporal({ port, dbFile: join(dir, 'temporal.db'), logDir: dir });
}
