/** The outbound HTTP client against a real local HTTPS server: redirects, body cap, guard, limiter. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '../../../src/http/client';
import { ConcurrencyWaitAborted } from '../../../src/http/limiter';
import { BlockedAddressError } from '../../../src/http/outbound-guard';
import { startHttpsSink, type HttpsSink } from '../../helpers/https-sink';

describe('http client', () => {
  let sink: HttpsSink;
  before(async () => {
    sink = await startHttpsSink({
      respond: (req) => {
        if (req.url === '/redirect') return { status: 302, headers: { location: '/elsewhere' } };
        if (req.url === '/big') return { status: 200, body: 'x'.repeat(200_000) };
        if (req.url === '/slow') return { status: 200, delayMs: 30 };
        return { status: 200, body: 'ok' };
      },
    });
  });
  after(() => sink.close());

  const post = (url: string, extra: object = {}) => ({
    method: 'POST' as const,
    url,
    headers: {},
    body: '{}',
    timeoutMs: 10_000,
    ...extra,
  });

  it('does not follow redirects', async () => {
    const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    const before = sink.requests.length;
    const res = await http.send(post(`${sink.url}/redirect`, { restricted: true }));
    assert.equal(res.status, 302);
    assert.equal(sink.requests.length - before, 1, 'only the original request was made');
    await http.close();
  });

  it('reads response bodies up to the cap', async () => {
    const http = createHttpClient({ extraCa: sink.ca, maxResponseBytes: 1000 });
    const res = await http.send(post(`${sink.url}/big`));
    assert.equal(res.truncated, true);
    assert.equal(res.body.length, 1000);
    await http.close();
  });

  it('refuses restricted requests to loopback, by name and by address, unless allowed', async () => {
    const http = createHttpClient({ extraCa: sink.ca });
    const port = new URL(sink.url).port;
    const before = sink.requests.length;
    for (const url of [
      `${sink.url}/x`,
      `https://127.0.0.1:${port}/x`,
      `https://[::1]:${port}/x`,
      `https://[64:ff9b::7f00:1]:${port}/x`, // NAT64 of 127.0.0.1
      `https://[::ffff:0:7f00:1]:${port}/x`, // IPv4-translated 127.0.0.1
    ]) {
      await assert.rejects(http.send(post(url, { restricted: true })), (e: unknown) => {
        let cur: unknown = e;
        while (cur instanceof Error && !(cur instanceof BlockedAddressError)) cur = cur.cause;
        assert.ok(cur instanceof BlockedAddressError, `${url}: ${String(e)}`);
        return true;
      });
    }
    assert.equal(sink.requests.length, before, 'nothing reached the server');
    // Unrestricted (operator-configured) requests are not guarded.
    assert.equal((await http.send(post(`${sink.url}/x`))).status, 200);
    await http.close();
  });

  it('keeps at most maxConnections requests in flight per pool key', async () => {
    const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    const fresh = await startHttpsSink({ respond: () => ({ status: 200, delayMs: 30 }) });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => http.send(post(`${fresh.url}/slow`, { restricted: true, pool: { key: 'd', maxConnections: 2 } }))),
    );
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(fresh.requests.length, 12);
    assert.ok(fresh.maxConcurrent <= 2, `saw ${fresh.maxConcurrent} at once`);
    await fresh.close();
    await http.close();
  });

  it('the request timeout starts when the slot is held: queueing behind slow requests never aborts one already sent', async () => {
    const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    // Each answer takes 1 s; the third request queues ~2 s behind the first two, longer than its 1.8 s timeout.
    const fresh = await startHttpsSink({ respond: () => ({ status: 200, delayMs: 1000 }) });
    const opts = { restricted: true, timeoutMs: 1800, slotWaitMs: 30_000, pool: { key: 'queue', maxConnections: 1 } };
    const results = await Promise.all([1, 2, 3].map((n) => http.send(post(`${fresh.url}/${n}`, opts))));
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200],
    );
    assert.equal(fresh.requests.length, 3, 'each request sent once');
    assert.equal(fresh.maxConcurrent, 1);
    await fresh.close();
    await http.close();
  });

  it('a slot wait that runs out rejects before sending anything', async () => {
    const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
    const fresh = await startHttpsSink({ respond: () => ({ status: 200, delayMs: 1500 }) });
    const pool = { key: 'busy', maxConnections: 1 };
    const holder = http.send(post(`${fresh.url}/holder`, { restricted: true, pool }));
    await fresh.waitFor(1);
    await assert.rejects(http.send(post(`${fresh.url}/waiter`, { restricted: true, pool, slotWaitMs: 50 })), ConcurrencyWaitAborted);
    assert.equal((await holder).status, 200);
    assert.deepEqual(
      fresh.requests.map((r) => r.url),
      ['/holder'],
      'the request that found no slot was never sent',
    );
    await fresh.close();
    await http.close();
  });
});
