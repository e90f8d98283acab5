/**
 * Throttling of failed authentication (wrong source keys, signatures, bearer tokens, token
 * endpoint client secrets), so credentials cannot be guessed at line rate. Failures are counted
 * in fixed windows per client address (any source) and per scope (a source's ingestion, or its
 * token endpoint, i.e. its one client id); a key that reaches its limit is refused (429) until
 * its window ends, even with the right credential, or the guess that succeeds would tell.
 * Successful requests are never counted. Memory is bounded: at most `maxAddresses` addresses
 * are tracked (oldest forgotten first); scopes are bounded by the configured sources.
 */

export interface AuthThrottleSettings {
  /** Failures from one client address, within a window, after which it is refused. */
  perAddress: number;
  /** Failures on one source (ingestion) or its token endpoint, from any address, after which it is refused. */
  perSource: number;
  windowSeconds: number;
  /** Addresses tracked at most. */
  maxAddresses: number;
}

export type ThrottleLimit = 'address' | 'source';

export interface AuthThrottle {
  /** When the address or the scope is over its limit: which, and the seconds until its window ends. */
  check(address: string, scope: string | undefined): { limit: ThrottleLimit; retryAfterSeconds: number } | undefined;
  /** Count one failure; returns the limits this failure reached (for a log line once per lock). */
  fail(address: string, scope: string | undefined): ThrottleLimit[];
  /** Keys tracked now (addresses and scopes). */
  size(): number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/** Fixed windows per key in a Map kept in insertion order, so the oldest key is the first. */
class Windows {
  private readonly windows = new Map<string, Window>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  private current(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && now - w.startedAt >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  /** Milliseconds until `key` may try again, or undefined when it is under its limit. */
  blockedFor(key: string, now: number): number | undefined {
    const w = this.current(key, now);
    return w && w.failures >= this.limit ? w.startedAt + this.windowMs - now : undefined;
  }

  /** True when this failure reached the limit. */
  fail(key: string, now: number): boolean {
    let w = this.current(key, now);
    if (!w) {
      if (this.windows.size >= this.maxKeys) this.makeRoom(now);
      w = { startedAt: now, failures: 0 };
      this.windows.set(key, w);
    }
    w.failures += 1;
    return w.failures === this.limit;
  }

  private makeRoom(now: number): void {
    for (const [key, w] of this.windows) if (now - w.startedAt >= this.windowMs) this.windows.delete(key);
    // Still full: forget the oldest windows (a tenth, so this sweep is not paid on every failure).
    const excess = this.windows.size - this.maxKeys + Math.max(1, Math.floor(this.maxKeys / 10));
    let dropped = 0;
    for (const key of this.windows.keys()) {
      if (dropped++ >= excess) break;
      this.windows.delete(key);
    }
  }

  get size(): number {
    return this.windows.size;
  }
}

export function createAuthThrottle(settings: AuthThrottleSettings, now: () => number = Date.now): AuthThrottle {
  const windowMs = settings.windowSeconds * 1000;
  const addresses = new Windows(settings.perAddress, windowMs, settings.maxAddresses);
  // Scopes are named by configured sources only (callers pass undefined for unknown ids).
  const scopes = new Windows(settings.perSource, windowMs, Math.max(settings.maxAddresses, 1000));
  return {
    check(address, scope) {
      const t = now();
      const byAddress = addresses.blockedFor(address, t);
      const byScope = scope === undefined ? undefined : scopes.blockedFor(scope, t);
      if (byAddress === undefined && byScope === undefined) return undefined;
      // Over both limits: the later end is when a request may pass.
      const limit: ThrottleLimit = (byScope ?? -1) > (byAddress ?? -1) ? 'source' : 'address';
      const ms = Math.max(byAddress ?? 0, byScope ?? 0);
      return { limit, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) };
    },
    fail(address, scope) {
      const t = now();
      const reached: ThrottleLimit[] = [];
      if (addresses.fail(address, t)) reached.push('address');
      if (scope !== undefined && scopes.fail(scope, t)) reached.push('source');
      return reached;
    },
    size: () => addresses.size + scopes.size,
  };
}

/** Defaults (README "Configuration"): generous for a misconfigured sender, far below guessing speed. */
export const DEFAULT_AUTH_THROTTLE: AuthThrottleSettings = { perAddress: 20, perSource: 100, windowSeconds: 60, maxAddresses: 10_000 };
