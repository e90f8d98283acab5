/**
 * Entry point of the configuration store's writes: each change runs in one transaction under
 * one advisory lock, so two operators (or an apply and an operator) never interleave; reads
 * take no lock and see one snapshot.
 */
import type { Pool } from 'pg';
import { withTransaction } from '../../db/transaction';
import type { UrlRules } from '../../destinations/connector';
import { setDestinationPaused, type PauseState } from '../pause';
import type { Sealer } from '../pg-store';
import { ConfigWriter } from './writer';

/** Any key (same for every writer): writes to the configuration are serialized. */
const WRITE_LOCK = 0x7265_6c61; // "rela"

export class ConfigAdmin {
  constructor(
    private readonly pool: Pool,
    private readonly sealer: Sealer,
    /** What the URL rules know of the network (urlRulesFromEnv); default: an empty allowlist, no own port. */
    private readonly urlRules: UrlRules = { allowPrivateNetworks: [] },
  ) {}

  /** Run `fn` in a transaction; with `rollback` (dry runs) nothing it did is kept. */
  transaction<T>(fn: (w: ConfigWriter) => Promise<T>, options: { rollback?: boolean; readOnly?: boolean } = {}): Promise<T> {
    return withTransaction(
      this.pool,
      async (client) => {
        if (!options.readOnly) await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        return fn(new ConfigWriter(client, this.sealer, this.urlRules));
      },
      {
        // Reads see one snapshot (a list and its referencedBy agree); writes are serialized by the lock.
        begin: options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN',
        ...(options.rollback ? { rollback: true } : {}),
      },
    );
  }

  /** Pause or resume a destination: its state, not a new version (src/config/pause.ts). */
  setPaused(name: string, paused: boolean, reason?: string): Promise<PauseState | undefined> {
    return setDestinationPaused(this.pool, name, paused, reason);
  }

  /** Reads need no lock; they still see one consistent snapshot. */
  read<T>(fn: (w: ConfigWriter) => Promise<T>): Promise<T> {
    return this.transaction(fn, { rollback: true, readOnly: true });
  }
}
