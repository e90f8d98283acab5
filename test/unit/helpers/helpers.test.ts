/** Self-tests of the local fakes other tests rely on: the HTTPS sink, the loyalty API and the test receiver. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { parseEnv } from '../../../src/wiring/env';
import { createHttpClient } from '../../../src/http/client';
import { createLoyaltyApi, LoyaltyApiUnavailableError } from '../../../src/enrichment/loyalty-api';
import { startHttpsSink } from '../../helpers/https-sink';
import { startLoyaltyApi, type LoyaltyApiFake } from '../../helpers/loyalty-api';
import { fakeStarter, startReceiver } from '../../helpers/receiver';
import { createTestCertificate } from '../../helpers/tls';

describe('createTestCertificate', () => {
  it('generates once per process', async () => {
    const [a, b] = await Promise.all([createTestCertificate(), createTestCertificate()]);
    assert.equal(a, b);
    assert.match(a.cert, /^-----BEGIN CERTIFICATE-----/);
    assert.match(a.key, /-----BEGIN (RSA )?PRIVATE KEY-----/);
  });
});

describe('https sink', () => {
  it('records a request made over TLS by a client trusting its ca', async () => {
    const sink = await startHttpsSink();
    const agent = new Agent({ connect: { ca: sink.ca } });
    try {
      assert.match(sink.url, /^https:\/\/localhost:\d+$/);
      const res = await request(`${sink.url}/hooks/points?org=42`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' },
        body: '{"event":"pointsIssued","points":25}',
        dispatcher: agent,
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(await res.body.json(), { ok: true });

      const [recorded] = await sink.waitFor(1);
      assert.ok(recorded);
      assert.equal(recorded.method, 'POST');
      assert.equal(recorded.url, '/hooks/points?org=42');
      assert.equal(recorded.headers['content-type'], 'application/json');
      assert.equal(recorded.headers['x-trace'], 'abc');
      assert.equal(recorded.body, '{"event":"pointsIssued","points":25}');
      assert.deepEqual(recorded.json, { event: 'pointsIssued', points: 25 });
      assert.ok(Math.abs(recorded.receivedAt - Date.now()) < 5000);
    } finally {
      await sink.close();
      await agent.close();
    }
  });

  it('is refused by a client that does not trust its ca', async () => {
    const sink = await startHttpsSink();
    const agent = new Agent();
    try {
      await assert.rejects(request(sink.url, { method: 'POST', body: '{}', dispatcher: agent }), (e: Error & { code?: string }) => {
        assert.match(`${e.code} ${e.message}`, /SELF_SIGNED|self[- ]signed|certificate/i);
        return true;
      });
    } finally {
      await sink.close();
      await agent.close();
    }
  });

  it('answers as scripted per request and keeps a non-JSON body raw', async () => {
    const sink = await startHttpsSink({
      respond: (req, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '7' }, body: 'busy' } : { status: 204 }),
    });
    const agent = new Agent({ connect: { ca: sink.ca } });
    try {
      const first = await request(sink.url, { method: 'POST', body: 'not json', dispatcher: agent });
      assert.equal(first.statusCode, 503);
      assert.equal(first.headers['retry-after'], '7');
      assert.equal(await first.body.text(), 'busy');
      const second = await request(sink.url, { method: 'POST', body: '{}', dispatcher: agent });
      assert.equal(second.statusCode, 204);
      await second.body.dump();
      assert.equal(sink.requests[0]?.body, 'not json');
      assert.equal(sink.requests[0]?.json, undefined);
      assert.deepEqual(sink.requests[1]?.json, {});
    } finally {
      await sink.close();
      await agent.close();
    }
  });

  it('measures the peak number of requests in flight', async () => {
    const sink = await startHttpsSink({ respond: () => ({ status: 200, delayMs: 300 }) });
    const agent = new Agent({ connect: { ca: sink.ca }, connections: 10 });
    try {
      await Promise.all(
        [1, 2, 3].map(async (n) => {
          const res = await request(sink.url, { method: 'POST', body: String(n), dispatcher: agent });
          await res.body.dump();
        }),
      );
      assert.equal(sink.maxConcurrent, 3);
      assert.equal(sink.requests.length, 3);
    } finally {
      await sink.close();
      await agent.close();
    }
  });

  it('waitFor rejects with a clear message on timeout', async () => {
    const sink = await startHttpsSink();
    try {
      const started = Date.now();
      await assert.rejects(sink.waitFor(2, 150), /waited 150 ms for 2 request\(s\), 0 arrived/);
      assert.ok(Date.now() - started >= 140);
    } finally {
      await sink.close();
    }
  });

  it('close() returns promptly with a keep-alive socket and a delayed answer pending', async () => {
    const sink = await startHttpsSink({ respond: (_req, index) => ({ status: 200, delayMs: index === 0 ? 0 : 60_000 }) });
    const agent = new Agent({ connect: { ca: sink.ca }, keepAliveTimeout: 60_000 });
    try {
      const res = await request(sink.url, { method: 'POST', body: '{}', dispatcher: agent });
      await res.body.dump();
      const pending = request(sink.url, { method: 'POST', body: '{}', dispatcher: agent });
      await sink.waitFor(2);
      const started = Date.now();
      await sink.close();
      assert.ok(Date.now() - started < 2000, 'close() waited for open sockets');
      await assert.rejects(pending);
    } finally {
      await agent.close();
    }
  });
});

describe('loyalty API fake', () => {
  let api: LoyaltyApiFake;
  before(async () => {
    api = await startLoyaltyApi({
      '919876543210': { totalPoints: 1250, mainPoints: 1000, promisedPoints: 250, entityId: 381 },
      '918888888888': { totalPoints: 40 },
    });
  });
  after(async () => {
    await api.close();
  });

  const lookup = (value: string) =>
    fetch(`${api.url}/v2/customers/lookup/points/balance?source=INSTORE&identifierName=mobile&identifierValue=${value}`, {
      headers: { authorization: 'Basic dGVzdA==' },
    });

  it('answers a known identifier like Capillary and records the query and headers', async () => {
    const before = api.requests.length;
    const res = await lookup('919876543210');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      entityId: 381,
      entityType: 'CUSTOMER',
      totalPoints: 1250,
      mainPoints: 1000,
      promisedPoints: 250,
    });
    const recorded = api.requests[before];
    assert.ok(recorded);
    assert.equal(recorded.path, '/v2/customers/lookup/points/balance');
    assert.deepEqual(recorded.query, { source: 'INSTORE', identifierName: 'mobile', identifierValue: '919876543210' });
    assert.equal(recorded.headers.authorization, 'Basic dGVzdA==');
  });

  it('fills defaults for a balance given only totalPoints', async () => {
    const body = (await (await lookup('918888888888')).json()) as Record<string, unknown>;
    assert.equal(body.totalPoints, 40);
    assert.equal(body.mainPoints, 40);
    assert.equal(body.promisedPoints, 0);
    assert.equal(typeof body.entityId, 'number');
  });

  it('answers 404 for an unknown identifier', async () => {
    const res = await lookup('910000000000');
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });

  it('forces a status for the next N requests only', async () => {
    api.forceStatus(503, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await lookup('919876543210');
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [503, 503, 200]);
  });

  it('works with the relay’s own loyalty API client', async () => {
    const http = createHttpClient();
    try {
      const client = createLoyaltyApi(http, { baseUrl: `${api.url}/` });
      assert.deepEqual(await client.pointsBalance({ name: 'mobile', value: '919876543210' }), {
        entityId: 381,
        totalPoints: 1250,
        mainPoints: 1000,
        promisedPoints: 250,
      });
      assert.equal(await client.pointsBalance({ name: 'mobile', value: '910000000000' }), null);
      api.forceStatus(503, 1);
      await assert.rejects(client.pointsBalance({ name: 'mobile', value: '919876543210' }), LoyaltyApiUnavailableError);
    } finally {
      await http.close();
    }
  });
});

describe('startReceiver', () => {
  it("listens with the relay's own header, request and keep-alive timeouts, not Node's defaults", async () => {
    const r = await startReceiver([], fakeStarter());
    try {
      const env = parseEnv({});
      assert.equal(r.server.headersTimeout, env.RELAY_HEADERS_TIMEOUT_MS);
      assert.equal(r.server.requestTimeout, env.RELAY_REQUEST_TIMEOUT_MS);
      assert.equal(r.server.keepAliveTimeout, env.RELAY_KEEP_ALIVE_TIMEOUT_MS);
    } finally {
      await r.close();
    }
  });
});
