/**
 * The source cache's bounds with a stand-in store and clock: entries expire after the TTL (a lost
 * notification is outlived), unknown ids after the shorter negative TTL and only up to a
 * count, concurrent misses share one lookup, and nothing is cached while not live.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedConfigStore } from '../../../src/config/cached-store';
import type { ConfigStore } from '../../../src/config/store';
import type { SourceConfig } from '../../../src/model/source';

function fakeStore(known: Record<string, string>) {
  const calls: string[] = [];
  const store = {
    getSource: async (id: string) => {
      calls.push(id);
      await Promise.resolve();
      return known[id] === undefined ? undefined : ({ id, kind: 'server', auth: { key: known[id] } } as unknown as SourceConfig);
    },
  } as unknown as ConfigStore;
  return { store, calls };
}

const keyOf = (s: unknown) => (s as { auth?: { key?: string } } | undefined)?.auth?.key;

describe('CachedConfigStore', () => {
  it('reuses an entry until its TTL, then reads again', async () => {
    let now = 0;
    const known = { a: 'one' };
    const { store, calls } = fakeStore(known);
    const cache = new CachedConfigStore(store, { ttlMs: 30_000, negativeTtlMs: 5_000, now: () => now });
    cache.invalidate(true);
    assert.equal(keyOf(await cache.getSource('a')), 'one');
    known.a = 'two'; // changed, and the notification was lost
    now = 29_999;
    assert.equal(keyOf(await cache.getSource('a')), 'one');
    now = 30_000;
    assert.equal(keyOf(await cache.getSource('a')), 'two');
    assert.deepEqual(calls, ['a', 'a']);
  });

  it('remembers an unknown id for the negative TTL only, and only up to maxNegative ids', async () => {
    let now = 0;
    const known: Record<string, string> = {};
    const { store, calls } = fakeStore(known);
    const cache = new CachedConfigStore(store, { negativeTtlMs: 5_000, maxNegative: 2, now: () => now });
    cache.invalidate(true);
    for (const id of ['x', 'x', 'y', 'z', 'x', 'y', 'z']) assert.equal(await cache.getSource(id), undefined);
    assert.deepEqual(calls, ['x', 'y', 'z', 'z'], 'x and y remembered; z beyond the bound is read each time');
    known.x = 'new';
    now = 5_000;
    assert.equal(keyOf(await cache.getSource('x')), 'new', 'a new source is seen within the negative TTL');
  });

  it('shares one lookup between concurrent misses', async () => {
    const { store, calls } = fakeStore({ a: 'one' });
    const cache = new CachedConfigStore(store);
    cache.invalidate(true);
    const got = await Promise.all(Array.from({ length: 16 }, () => cache.getSource('a')));
    assert.ok(got.every((s) => keyOf(s) === 'one'));
    assert.deepEqual(calls, ['a']);
  });

  it('caches nothing while not live, and an invalidation empties it', async () => {
    const { store, calls } = fakeStore({ a: 'one' });
    const cache = new CachedConfigStore(store);
    await cache.getSource('a');
    await cache.getSource('a');
    assert.equal(calls.length, 2, 'not live: every lookup reads');
    cache.invalidate(true);
    await cache.getSource('a');
    await cache.getSource('a');
    assert.equal(calls.length, 3);
    cache.invalidate();
    await cache.getSource('a');
    assert.equal(calls.length, 4);
  });
});
