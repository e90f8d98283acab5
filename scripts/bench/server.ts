/** Which Temporal the harness runs against: its own dev server (default), its own full server on PostgreSQL, or TEMPORAL_ADDRESS. */
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports';
import { startDevTemporal, waitForTemporal, type TemporalServer } from './temporal-dev';
import { startPostgresTemporal } from './temporal-postgres';

export async function startTemporalFor(mode: 'dev' | 'postgres', dir: string, say: (m: string) => void): Promise<TemporalServer> {
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
