/**
 * The receiver's per-event reads (a source and its resolved secrets, by id) kept in memory, so
 * an event costs no database round trip. Changes are learnt from PostgreSQL: a trigger
 * (migrations/…_config-notify-per-row.sql) sends NOTIFY relay_config_changed in the transaction
 * of any change to a row of sources, credential sets or destinations, and one dedicated LISTEN
 * connection per process drops the whole cache when it arrives (changes are rare; lookups are not).
 *
 * Bounds, for a notification that is lost anyway: an entry is reused for at most `ttlMs`
 * (default 30 s), an unknown source id for at most `negativeTtlMs` (default 5 s), so a flood of
 * bad ids costs one query per id per 5 s and a new source is seen within 5 s at worst. While the
 * LISTEN connection is down nothing is cached (every read goes to the database); on reconnect
 * the cache starts empty, so nothing missed while disconnected survives.
 */
import pg from 'pg';
import type { ConfigStore } from './store';
import type { SourceConfig } from '../model/source';

export const CONFIG_CHANNEL = 'relay_config_changed';

export interface CacheOptions {
  ttlMs?: number;
  negativeTtlMs?: number;
  /** Unknown ids are remembered up to this many (a flood of random ids cannot grow memory). */
  maxNegative?: number;
  now?: () => number;
}

export const DEFAULT_CACHE_TTL_MS = 30_000;
export const DEFAULT_NEGATIVE_TTL_MS = 5_000;

/** A ConfigStore whose getSource is cached while `live`; every other read goes to `inner`. */
export class CachedConfigStore implements ConfigStore {
  private readonly sources = new Map<string, { value: SourceConfig | undefined; until: number }>();
  private negatives = 0;
  private readonly inflight = new Map<string, Promise<SourceConfig | undefined>>();
  /** Bumped on every invalidation: a read that started before one must not fill the cache. */
  private generation = 0;
  /** Caching only while change notifications are known to arrive. */
  private live = false;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxNegative: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: ConfigStore,
    opts: CacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_CACHE_TTL_MS;
    this.negativeTtlMs = opts.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
    this.maxNegative = opts.maxNegative ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Drop everything cached; `live` says whether notifications are now being received. */
  invalidate(live = this.live): void {
    this.generation++;
    this.sources.clear();
    this.inflight.clear();
    this.negatives = 0;
    this.live = live;
  }

  getSource(id: string): Promise<SourceConfig | undefined> {
    const hit = this.sources.get(id);
    if (hit && hit.until > this.now()) return Promise.resolve(hit.value);
    // Concurrent misses for one id share one query (a burst at start, or of one bad id).
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.load(id, hit);
      this.inflight.set(id, pending);
      const done = pending;
      const forget = () => {
        if (this.inflight.get(id) === done) this.inflight.delete(id);
      };
      done.then(forget, forget);
    }
    return pending;
  }

  private async load(id: string, hit: { value: SourceConfig | undefined } | undefined): Promise<SourceConfig | undefined> {
    const generation = this.generation;
    const value = await this.inner.getSource(id);
    if (this.live && generation === this.generation) {
      if (hit) {
        this.sources.delete(id);
        if (hit.value === undefined) this.negatives--;
      }
      if (value !== undefined) this.sources.set(id, { value, until: this.now() + this.ttlMs });
      else if (this.negatives < this.maxNegative) {
        this.negatives++;
        this.sources.set(id, { value, until: this.now() + this.negativeTtlMs });
      }
    }
    return value;
  }

  resolveSubscriptions(event: { source: string; name: string }) {
    return this.inner.resolveSubscriptions(event);
  }
  planDestination(name: string) {
    return this.inner.planDestination(name);
  }
  destinationState(name: string) {
    return this.inner.destinationState(name);
  }
  getDestination(name: string, version?: string) {
    return this.inner.getDestination(name, version);
  }
  getDestinationSecrets(name: string, version?: string) {
    return this.inner.getDestinationSecrets(name, version);
  }
  getCredential(name: string) {
    return this.inner.getCredential(name);
  }
}

export interface ConfigListener {
  close(): Promise<void>;
}

/**
 * One connection that LISTENs for configuration changes and invalidates `cache`: live once
 * LISTEN is in place, not live (and emptied) when the connection drops, reconnecting with a
 * capped backoff. Resolves after the first attempt, whether it connected or not.
 */
export async function listenForConfigChanges(
  connectionString: string,
  cache: Pick<CachedConfigStore, 'invalidate'>,
  log: (message: string) => void = () => undefined,
): Promise<ConfigListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = 500;

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 10_000);
  };

  const dropped = (c: pg.Client, why: string) => {
    if (client !== c) return;
    client = undefined;
    cache.invalidate(false);
    c.end().catch(() => undefined);
    if (!closed) {
      log(`configuration change notifications interrupted (${why}); reading the database per event until reconnected`);
      retry();
    }
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString, application_name: 'loyalty-relay-listen', connectionTimeoutMillis: 10_000 });
    c.on('error', (err) => dropped(c, err.message));
    c.on('end', () => dropped(c, 'connection ended'));
    c.on('notification', (msg) => {
      if (msg.channel === CONFIG_CHANNEL) cache.invalidate();
    });
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${CONFIG_CHANNEL}`);
      if (closed || client !== c) return void c.end().catch(() => undefined);
      delay = 500;
      // Anything read before LISTEN may have missed a change: start empty.
      cache.invalidate(true);
    } catch (e) {
      dropped(c, (e as Error).message);
    }
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      cache.invalidate(false);
      await c?.end().catch(() => undefined);
    },
  };
}
