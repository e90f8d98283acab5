import type { TemporalServer } from './temporal-dev';
export function startPostgresTemporal(_o: { dir: string; say: (m: string) => void }): Promise<TemporalServer> {
  return Promise.reject(new Error('not yet'));
}
